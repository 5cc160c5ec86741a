"""The yearly assessment: parameters, panels, pools, the designs per outcome and their verdicts.

* :mod:`~ptvlib.assessment.params` — typed parameters shared by notebooks and the CLI;
* :mod:`~ptvlib.assessment.panels` — offence panels and the rest-of-Norway series;
* :mod:`~ptvlib.assessment.pools` — comparison groups and donor pools;
* :mod:`~ptvlib.assessment.outcome` — every design for one outcome
  (:mod:`~ptvlib.assessment.outcome_results` holds its result type);
* :mod:`~ptvlib.assessment.verdicts` — how designs combine into a verdict;
* :mod:`~ptvlib.assessment.own` — designs on the analyst's own data;
* :mod:`~ptvlib.assessment.overview`, :mod:`~ptvlib.assessment.enforcement`,
  :mod:`~ptvlib.assessment.supplementary` — descriptive and supplementary analyses;
* :mod:`~ptvlib.assessment.indicators`, :mod:`~ptvlib.assessment.shrinkage` — indicators.

Imports the data layer and the estimators; never the report.
"""
