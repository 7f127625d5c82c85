"""Numerically stable log-space primitives and losses, differentiable in every mode."""

from chainrule.ml.stable import (
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    expm1,
    log1p,
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
    softplus,
)

__all__ = [
    "binary_cross_entropy_with_logits", "cross_entropy_with_logits", "expm1", "log1p",
    "log_sigmoid", "log_softmax", "logsumexp", "sigmoid", "softmax", "softplus",
]
