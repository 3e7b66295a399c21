"""Machine learning: causal features, labels, purged CV, models, registry (floor 2).

* :mod:`.features` — 76 causal features by name (``FEATURES``, ``compute_features``), checked
  by :mod:`.causality`;
* :mod:`.labels` — forward returns, triple barrier, average-uniqueness weights;
* :mod:`.cv` — purged + embargoed k-fold; :mod:`.walkforward` — rolling retraining;
* :mod:`.models` — LightGBM/XGBoost with calibration; :mod:`.ensemble`, :mod:`.importance`;
* :mod:`.registry` — model files + manifest + hash under ``$OPENALPHA_HOME/models``;
* :mod:`.predictor`, :mod:`.confirm` — what the ML strategies use; :mod:`.report` — the
  honesty report (model vs baseline vs buy-and-hold, out of sample).
"""

from openalpha.ml.causality import CausalityReport, check_feature_causality
from openalpha.ml.confirm import MLConfirm
from openalpha.ml.cv import PurgedKFold, cross_validate
from openalpha.ml.errors import MissingFeaturesError, MLError, ModelRegistryError
from openalpha.ml.features import FEATURES, compute_features, feature_input, feature_names
from openalpha.ml.labels import average_uniqueness, forward_returns, sample_weights, triple_barrier
from openalpha.ml.models import ModelSpec, TabularModel
from openalpha.ml.predictor import DirectionalConfig
from openalpha.ml.registry import ModelManifest, ModelRegistry, record_in_ledger
from openalpha.ml.report import HonestyReport, honesty_report
from openalpha.ml.walkforward import walk_forward_predict

__all__ = [
    "FEATURES", "CausalityReport", "DirectionalConfig", "HonestyReport", "MLConfirm", "MLError",
    "MissingFeaturesError", "ModelManifest", "ModelRegistry", "ModelRegistryError", "ModelSpec",
    "PurgedKFold", "TabularModel", "average_uniqueness", "check_feature_causality", "compute_features",
    "cross_validate", "feature_input", "feature_names", "forward_returns", "honesty_report",
    "record_in_ledger", "sample_weights", "triple_barrier", "walk_forward_predict",
]  # fmt: skip
