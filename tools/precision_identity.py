"""Check that this checkout's fp32 steps compute what a base revision's did, bit for bit.

    PYTHONPATH=src python tools/precision_identity.py /tmp/base/src

Same seeds, same inputs, a few steps of each trainer in both versions (the
base's ``mixmiss`` imported as ``mixmiss_base``, see ``precision_ab.py``);
prints whether the parameters are bit-identical, else the largest difference.
"""

import importlib
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
import precision_ab  # noqa: E402

base = precision_ab.import_base(Path(sys.argv[1]))
import mixmiss  # noqa: E402

for m in ("rbm.model", "rbm.cd", "misgan", "misgan.training", "mmgan.config", "mmgan.model", "rng"):
    importlib.import_module("mixmiss_base." + m)
    importlib.import_module("mixmiss." + m)
torch.set_num_threads(1)
g = torch.Generator().manual_seed(0)
v = torch.rand(256, 784, generator=g)
obs = (torch.rand(256, 784, generator=g) > 0.6).float()
v = v * obs
lam = obs.mean(0)
for method in ("zeroed", "lm"):
    for rank in (None, 40):
        states = []
        for pkg, kw in ((base, {}), (mixmiss, {"precision": "auto"})):
            model = pkg.rbm.model.RBM.initialise(
                v, obs, 512, torch.Generator().manual_seed(0), rank
            )
            cd = pkg.rbm.cd.ContrastiveDivergence(
                model, method, 1e-3, lam, 1, torch.Generator().manual_seed(0), **kw
            )
            for i in range(2):
                cd.step(v[i * 128 : (i + 1) * 128], obs[i * 128 : (i + 1) * 128])
            states.append(model.state_dict())
        same = all(torch.equal(states[0][k], states[1][k]) for k in states[0])
        diff = max(float((states[0][k] - states[1][k]).abs().max()) for k in states[0])
        print("rbm", method, rank, "bit-identical" if same else f"max diff {diff:.2e}")
x = torch.rand(64, 1, 28, 28, generator=g)
m = (torch.rand(64, 1, 28, 28, generator=g) > 0.6).float()
states = []
for pkg, kw in ((base, {}), (mixmiss, {"precision": "auto"})):
    imp = pkg.misgan.MisGANImputer(random_state=0, width=16, imputer_hidden=[64])
    nets = imp.build_networks(0, torch.device("cpu"))
    tr = pkg.misgan.training.MisGANTrainer(
        nets, imp.hyperparameters(), torch.Generator().manual_seed(1), **kw
    )
    for _ in range(5):
        tr.train_step(x * m, m)
    states.append(nets.state_dict())
print("misgan", all(torch.equal(states[0][k], states[1][k]) for k in states[0]))
states = []
for pkg, kw in ((base, {}), (mixmiss, {"precision": "auto"})):
    config = pkg.mmgan.config.make_config("smoke", **kw)
    with pkg.rng.isolated_seed(0):
        model = pkg.mmgan.model.MixedMembershipGAN(
            config, 28, 2, 3, torch.zeros(2, 3), learn_omega=True
        )
    gen = torch.Generator().manual_seed(0)
    for _ in range(3):
        real = torch.rand(2, config.batch_size, 1, 28, 28, generator=gen) * 2 - 1
        model.train_step(real, torch.randn(config.batch_size, config.z_dim, generator=gen))
    states.append(model.state_dict())
print("mmgan", all(torch.equal(states[0][k], states[1][k]) for k in states[0]))
