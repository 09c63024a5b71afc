"""Reference values for the response-based methods of src/methods/, computed by PyTorch autograd
in float64, independently of the engine: `python3 tests/reference/methods_reference.py` writes
tests/reference/methods_vectors.json (read by tests/reference_methods.rs).

- reverse KL (src/methods/reverse_kl.rs): L = a*T^2*KL(q || p) + (1-a)*CE(y, softmax(z_s)),
  q = softmax(z_s/T), p = softmax(z_t/T), batch means; written with torch's own F.kl_div, whose
  KL(target || input) with the *student* as target is the reverse direction.
- label smoothing (src/methods/label_smoothing.rs): PyTorch's own
  F.cross_entropy(z_s, y, label_smoothing=eps), whose targets are (1-eps)*onehot + eps/K: its
  gradient is the engine's soft term's at T = 1, alpha = 1 with the smoothed targets (CE and KL
  differ by the targets' entropy, a constant).
"""
import json

import torch
import torch.nn.functional as F

torch.manual_seed(2026)
dtype = torch.float64


def grid(shape, scale):
    # multiples of 1/256: exact in f32
    return torch.round(torch.randn(shape, dtype=dtype) * scale * 256) / 256


cases = []
for batch, classes, t, alpha, scale in [(4, 3, 1.0, 0.5, 2.0), (5, 10, 4.0, 0.9, 3.0), (3, 5, 0.5, 0.2, 1.5), (6, 4, 20.0, 1.0, 4.0)]:
    zs = grid((batch, classes), scale).requires_grad_()
    zt = grid((batch, classes), scale)
    y = torch.randint(0, classes, (batch,))
    log_q = F.log_softmax(zs / t, dim=1)
    log_p = F.log_softmax(zt / t, dim=1)
    # F.kl_div(input, target, log_target=True) = sum exp(target) * (target - input): KL(q || p) with target = log q
    soft = t * t * F.kl_div(log_p, log_q, reduction="batchmean", log_target=True)
    hard = F.cross_entropy(zs, y)
    total = alpha * soft + (1 - alpha) * hard
    (grad,) = torch.autograd.grad(total, zs)
    cases.append({
        "method": "reverse-kl", "temperature": t, "alpha": alpha,
        "student_logits": zs.detach().tolist(), "teacher_logits": zt.tolist(), "labels": y.tolist(),
        "soft": soft.item(), "hard": hard.item(), "total": total.item(), "gradient": grad.tolist(),
    })

for batch, classes, eps in [(4, 3, 0.1), (5, 10, 0.35), (3, 4, 0.0)]:
    zs = grid((batch, classes), 2.0).requires_grad_()
    y = torch.randint(0, classes, (batch,))
    loss = F.cross_entropy(zs, y, label_smoothing=eps)
    (grad,) = torch.autograd.grad(loss, zs)
    cases.append({
        "method": "label-smoothing", "epsilon": eps, "student_logits": zs.detach().tolist(),
        "labels": y.tolist(), "cross_entropy": loss.item(), "gradient": grad.tolist(),
    })

with open(__file__.replace("methods_reference.py", "methods_vectors.json"), "w") as f:
    json.dump({"torch": torch.__version__, "n_cases": len(cases), "cases": cases}, f, indent=1)
