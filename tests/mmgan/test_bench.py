import torch

from mixmiss.mmgan.bench import _model_and_batch, step_flops, straightforward_step


def test_straightforward_step_updates_every_network():
    model, real, z, _ = _model_and_batch("smoke", torch.device("cpu"))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    straightforward_step(model, real, z)
    after = model.state_dict()
    for prefix in ("generator.", "critic.", "generator_ema.", "omega"):
        changed = [
            k for k in after if k.startswith(prefix) and not torch.equal(after[k], before[k])
        ]
        assert changed, prefix


def test_step_flops_are_counted():
    flops = step_flops("smoke", torch.device("cpu"))
    assert flops > 1e6
