"""The yearly assessment: parameters, panels, pools, the designs per outcome and their verdicts.

* :mod:`~ptvlib.assessment.params` — typed parameters shared by notebooks and the CLI;
* :mod:`~ptvlib.assessment.panels` — offence panels and the rest-of-Norway series;
* :mod:`~ptvlib.assessment.pools` — the comparison pool of the calibrated designs
  (:mod:`~ptvlib.assessment.exclusions`: airport and border municipalities), comparison groups;
* :mod:`~ptvlib.assessment.placebo` — placebo tests over the pool, vectorised;
  :mod:`~ptvlib.assessment.group_tests` runs them for one offence group;
* :mod:`~ptvlib.assessment.outcome` — every design for one outcome
  (:mod:`~ptvlib.assessment.outcome_results` holds its result type,
  :mod:`~ptvlib.assessment.verdict_text` its sentences);
* :mod:`~ptvlib.assessment.verdicts` — the pre-specified decision rule (Holm, codes);
* :mod:`~ptvlib.assessment.calibration` — the rule on untreated municipalities;
  :mod:`~ptvlib.assessment.power` — minimum detectable effects, answerability;
  :mod:`~ptvlib.assessment.sensitivity` — start year and COVID variants;
* :mod:`~ptvlib.assessment.own` — designs on the analyst's own data;
* :mod:`~ptvlib.assessment.overview`, :mod:`~ptvlib.assessment.enforcement`,
  :mod:`~ptvlib.assessment.supplementary` — descriptive and supplementary analyses;
* :mod:`~ptvlib.assessment.indicators`, :mod:`~ptvlib.assessment.shrinkage` — indicators.

Imports the data layer and the estimators; never the report.
"""
