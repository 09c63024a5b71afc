"""Reference vectors for src/methods/relations.rs: relational knowledge distillation (Park, Kim, Lu &
Cho, CVPR 2019), computed by the authors' own loss code run in float64 with PyTorch autograd.

`pdist`, `RkdDistance` and `RKdAngle` below are copied from github.com/lenscloth/RKD at commit
0a6c3c0c190722d428322bf71703c0ae86c25242 (`metric/utils.py` lines 6-16, `metric/loss.py` lines
118-148), with one change: `reduction='elementwise_mean'`, which PyTorch has since removed, is
spelled `reduction='mean'`, its current name (the same average). The script checks autograd's
gradient against central finite differences before writing it.

    python3 tests/reference/rkd_reference.py      # needs torch (PyTorch 2.15.0 wrote the file)

writes tests/reference/rkd_vectors.json: for each case the student's and teacher's embeddings
(multiples of 2^-8, exact in f32), L_D, L_A, the gradient of 25 L_D + 50 L_A with respect to the
student, and the student's normalised distance matrix (pdist / mean of its positive entries).
"""

import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


def pdist(e, squared=False, eps=1e-12):
    e_square = e.pow(2).sum(dim=1)
    prod = e @ e.t()
    res = (e_square.unsqueeze(1) + e_square.unsqueeze(0) - 2 * prod).clamp(min=eps)

    if not squared:
        res = res.sqrt()

    res = res.clone()
    res[range(len(e)), range(len(e))] = 0
    return res


class RKdAngle(nn.Module):
    def forward(self, student, teacher):
        # N x C
        # N x N x C

        with torch.no_grad():
            td = (teacher.unsqueeze(0) - teacher.unsqueeze(1))
            norm_td = F.normalize(td, p=2, dim=2)
            t_angle = torch.bmm(norm_td, norm_td.transpose(1, 2)).view(-1)

        sd = (student.unsqueeze(0) - student.unsqueeze(1))
        norm_sd = F.normalize(sd, p=2, dim=2)
        s_angle = torch.bmm(norm_sd, norm_sd.transpose(1, 2)).view(-1)

        loss = F.smooth_l1_loss(s_angle, t_angle, reduction='mean')
        return loss


class RkdDistance(nn.Module):
    def forward(self, student, teacher):
        with torch.no_grad():
            t_d = pdist(teacher, squared=False)
            mean_td = t_d[t_d>0].mean()
            t_d = t_d / mean_td

        d = pdist(student, squared=False)
        mean_d = d[d>0].mean()
        d = d / mean_d

        loss = F.smooth_l1_loss(d, t_d, reduction='mean')
        return loss


DISTANCE_WEIGHT, ANGLE_WEIGHT = 25.0, 50.0


def on_grid(shape, generator, spread=1.0):
    """Uniform in [-spread, spread), rounded to a multiple of 2^-8 (exact in f32)."""
    values = (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * spread
    return torch.round(values * 256) / 256


def weighted(student, teacher):
    return DISTANCE_WEIGHT * RkdDistance()(student, teacher) + ANGLE_WEIGHT * RKdAngle()(student, teacher)


def case(name, student, teacher):
    student = student.clone().requires_grad_(True)
    distance = RkdDistance()(student, teacher)
    angle = RKdAngle()(student, teacher)
    (gradient,) = torch.autograd.grad(DISTANCE_WEIGHT * distance + ANGLE_WEIGHT * angle, student)
    # Autograd against central differences (float64, h = 1e-6).
    h = 1e-6
    with torch.no_grad():
        for index in range(student.numel()):
            up, down = student.detach().clone(), student.detach().clone()
            up.view(-1)[index] += h
            down.view(-1)[index] -= h
            numeric = (weighted(up, teacher) - weighted(down, teacher)).item() / (2 * h)
            analytic = gradient.view(-1)[index].item()
            assert abs(numeric - analytic) <= 1e-6 * (1 + abs(numeric)), (name, index, numeric, analytic)
        potential = pdist(student.detach())
        potential = potential / potential[potential > 0].mean()
    return {
        "name": name,
        "student": student.detach().tolist(),
        "teacher": teacher.tolist(),
        "distance": distance.item(),
        "angle": angle.item(),
        "gradient": gradient.tolist(),
        "student_potential": potential.tolist(),
    }


def main():
    generator = torch.Generator().manual_seed(2019)
    cases = [
        case("5 rows, student 3 wide, teacher 4", on_grid((5, 3), generator), on_grid((5, 4), generator)),
        case("6 rows, student 4 wide, teacher 3", on_grid((6, 4), generator), on_grid((6, 3), generator)),
        case("3 rows, the fewest with angles", on_grid((3, 2), generator), on_grid((3, 5), generator, 3.0)),
        case("10 rows, student 3 wide, teacher 5", on_grid((10, 3), generator), on_grid((10, 5), generator)),
    ]
    # Rows huddled near the origin but one far away: potentials differ by more than 1 (smooth L1's
    # linear branch).
    huddled = on_grid((6, 3), generator, 0.125)
    huddled[5] = torch.tensor([4.0, -3.0, 4.0], dtype=torch.float64)
    cases.append(case("6 rows, one student row far from the rest", huddled, on_grid((6, 4), generator)))
    # Two equal teacher rows: F.normalize maps their difference to 0; pdist puts them at 1e-6.
    twins = on_grid((5, 4), generator)
    twins[3] = twins[0]
    cases.append(case("5 rows, two teacher rows equal", on_grid((5, 3), generator), twins))
    document = {
        "source": "tests/reference/rkd_reference.py: the authors' RkdDistance and RKdAngle (lenscloth/RKD@0a6c3c0) "
        + f"in float64, PyTorch {torch.__version__.split('+')[0]} autograd",
        "convention": "distance = L_D, angle = L_A (unweighted); gradient = d(25 L_D + 50 L_A)/d student",
        "cases": cases,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rkd_vectors.json")
    with open(path, "w") as out:
        json.dump(document, out, indent=1)
        out.write("\n")
    print(f"{len(cases)} cases written to {path}")


if __name__ == "__main__":
    main()
