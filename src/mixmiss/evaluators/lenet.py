"""The reference FID network: MisGAN's pytorch-examples LeNet, trained as its code trains it.

The LM-RBM paper reports "the FID as calculated using the implementation
provided within [20]" (MisGAN's code, ``src/mnist_fid.py``). That FID is not
Inception's: its feature network is the pytorch-examples MNIST LeNet
(``src/mnist_model.py``), which ships without weights and is trained by
``python mnist_model.py``:

- architecture: conv 1->10 k5, max-pool 2, ReLU; conv 10->20 k5, Dropout2d,
  max-pool 2, ReLU; fc 320->50; ReLU, dropout; fc 50->10, log-softmax;
- training: the 60,000 training images normalised with mean 0.1307 and std
  0.3081, minibatches of 64 reshuffled every epoch (the last one partial:
  938 steps an epoch), SGD lr 0.01 momentum 0.5 on the NLL, seed 1, 100
  epochs;
- features: the 50-d ``fc1`` output BEFORE its ReLU, in eval mode, of the
  UNNORMALISED [0, 1] images (``ToTensor`` only, although the network was
  trained on normalised ones). This quirk sets the scale of the paper's
  FIDs, so :meth:`LeNet.features` keeps it, while :meth:`LeNet.forward`
  (classification) normalises as in training;
- reference statistics: all 60,000 training images (``np.cov``).

Here the randomness is explicit: initialisation and dropout are seeded by
:func:`mixmiss.rng.isolated_seed` and the minibatch order comes from its own
generator, both with the reference's seed 1, so the caller's global RNG is
left alone (the reference seeds the global RNG; the two runs cannot be
bit-identical, only the same recipe). The state dict keys are the
reference's (``conv1``, ``conv2``, ``fc1``, ``fc2``), so a reference
``mnist.pth`` loads as is.

The trained network is cached like the evaluator CNNs
(:mod:`.training`: ``<cache_dir>/evaluators/lenet-<dataset>.pt`` with its
metadata and SHA-256 checksum) and used through the same
:class:`~.evaluator.Evaluator` and :func:`~.reference.fid_score`.
"""

from __future__ import annotations

import os
import platform

import torch
from torch import nn
from torch.nn import functional as F

from ..device import resolve_device
from ..errors import InputError
from ..rng import isolated_seed, make_generator
from ..training import Checkpoint, TrainingLoop, in_epochs
from .evaluator import Evaluator
from .training import (
    cache_network,
    cached_metadata,
    cached_state_dict,
    is_cached,
    training_data,
    writable_cache,
)

#: The reference's input normalisation (MNIST's pixel mean and standard deviation).
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081

#: The reference recipe (``mnist_model.py``'s argparse defaults).
EPOCHS, BATCH_SIZE, LEARNING_RATE, MOMENTUM, SEED = 100, 64, 0.01, 0.5, 1

#: Datasets the LeNet can be trained on (it takes 28x28 images only).
DATASETS = ("mnist", "fashion-mnist")

#: The training checkpoint beside the cached network: ``lenet-mnist.checkpoint.pt``.
CHECKPOINT_SUFFIX = ".checkpoint.pt"


class LeNet(nn.Module):
    """The pytorch-examples MNIST LeNet, as in MisGAN's ``mnist_model.Net``.

    ``forward`` takes [0, 1] images (N, 1, 28, 28), normalises them with
    :data:`MNIST_MEAN` / :data:`MNIST_STD` as the reference's training data
    were, and returns log-probabilities (N, 10). ``features`` returns the
    pre-ReLU ``fc1`` output of the images as given, unnormalised: the FID
    embedding of the reference (see the module docstring).
    """

    image_size = 28
    feature_dim = 50

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def _fc1(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        return self.fc1(x.flatten(1))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pre-ReLU ``fc1`` output (N, 50) of UNNORMALISED images (the reference's FID features)."""
        return self._fc1(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Log-probabilities (N, 10) of [0, 1] images, normalised first as in training."""
        x = F.relu(self._fc1((x - MNIST_MEAN) / MNIST_STD))
        x = F.dropout(x, training=self.training)
        return F.log_softmax(self.fc2(x), dim=1)


def lenet_name(dataset: str = "mnist") -> str:
    """The cache name of ``dataset``'s LeNet (``lenet-mnist``)."""
    if dataset not in DATASETS:
        raise InputError(
            f"the LeNet takes 28x28 images: dataset must be one of {', '.join(DATASETS)}, "
            f"got {dataset!r}."
        )
    return f"lenet-{dataset}"


def _train_command(dataset: str) -> str:
    return f"mixmiss evaluator train --network lenet --dataset {dataset}"


def train_lenet(
    dataset: str = "mnist",
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    seed: int = SEED,
    epochs: int = EPOCHS,
    max_train: int | None = None,
    device: str = "auto",
    progress: bool = True,
    resume: bool = False,
) -> Evaluator:
    """Train the reference LeNet on ``dataset``'s training set and cache it.

    The training writes a checkpoint after every epoch (and on SIGINT,
    SIGTERM or SIGUSR1, after which it raises
    :class:`~mixmiss.training.TrainingInterrupted`); ``resume=True``
    continues it exactly (weights, momentum, the epoch's minibatch order and
    every RNG state are restored). The checkpoint is removed once the
    network is cached.

    Parameters
    ----------
    dataset : {"mnist", "fashion-mnist"}
        The paper's FID uses ``"mnist"``.
    data_dir, cache_dir : path, optional
        See :mod:`mixmiss.paths`. The cache directory must be writable.
    seed : int
        Seeds initialisation, dropout and the minibatch order (reference: 1).
    epochs : int
        Training epochs (reference: 100; tests use 1 or 2).
    max_train : int, optional
        Train on the first ``max_train`` images only (tests).
    device : {"auto", "cpu", "cuda"}
    progress : bool
        Show a progress bar (one step per minibatch).
    resume : bool
        Continue from the checkpoint of an interrupted training with the same
        settings, if there is one (``epochs`` may be raised).

    Returns
    -------
    Evaluator
        The network in eval mode; ``metadata`` has ``test_accuracy`` on the
        full test split after the last epoch, ``test_accuracy_by_epoch``,
        ``train_seconds`` (summed over the stretches of a resumed training)
        and the weights' ``checksum``.
    """
    name = lenet_name(dataset)
    if epochs < 1:
        raise InputError(f"epochs must be >= 1, got {epochs}.")
    if max_train is not None and max_train < 1:
        raise InputError(f"max_train must be >= 1, got {max_train}.")
    out_dir = writable_cache(cache_dir)  # fail now, not after the training
    torch_device = resolve_device(device)
    train, test = training_data(dataset, data_dir, max_train)
    x_train = train.images.to(torch_device)
    y_train = train.labels.to(torch_device)
    # the last minibatch is partial, as in the reference (938 steps for 60,000 images)
    steps_per_epoch = -(-len(train) // BATCH_SIZE)
    settings = {"dataset": dataset, "seed": seed, "epochs": epochs, "train_images": len(train),
                "batch_size": BATCH_SIZE, "lr": LEARNING_RATE, "momentum": MOMENTUM}  # fmt: skip
    checkpoint = Checkpoint(out_dir / f"{name}{CHECKPOINT_SUFFIX}", settings, ("epochs",))

    with isolated_seed(seed, torch_device):
        network = LeNet().to(torch_device)
        evaluator = Evaluator(network, {"dataset": dataset, "name": name})
        optimizer = torch.optim.SGD(network.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        order_rng = make_generator(seed)
        state = {"order": None, "by_epoch": []}

        def save_state() -> dict:
            return {
                "network": network.state_dict(),
                "optimizer": optimizer.state_dict(),
                "order": state["order"],
                "order_rng": order_rng.get_state(),
                "torch_rng": torch.get_rng_state(),  # dropout draws from it
                "by_epoch": list(state["by_epoch"]),
            }

        loop = TrainingLoop(
            epochs * steps_per_epoch,
            save_state,
            checkpoint,
            every_steps=steps_per_epoch,
            describe=in_epochs(steps_per_epoch, "batch"),
            desc=f"LeNet {dataset}",
            unit="batch",
            progress=progress,
        )
        saved = loop.resume(torch_device) if resume else None
        if saved is not None:
            network.load_state_dict(saved["network"])
            optimizer.load_state_dict(saved["optimizer"])
            order_rng.set_state(saved["order_rng"].cpu())
            torch.set_rng_state(saved["torch_rng"].cpu())
            state.update(order=saved["order"], by_epoch=list(saved["by_epoch"]))

        def step(index: int) -> dict | None:
            position = index % steps_per_epoch
            if position == 0:
                network.train()
                state["order"] = torch.randperm(len(train), generator=order_rng)
            rows = state["order"][position * BATCH_SIZE : (position + 1) * BATCH_SIZE]
            rows = rows.to(torch_device)
            loss = F.nll_loss(network(x_train[rows]), y_train[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if position < steps_per_epoch - 1:
                return None
            accuracy = round(evaluator.accuracy(test.images, test.labels), 4)
            network.train()
            state["by_epoch"].append(accuracy)
            return {"epoch": len(state["by_epoch"]), "loss": f"{loss.item():.3f}",
                    "test_acc": accuracy}  # fmt: skip

        network.train()
        loop.run(step)
    network.eval()
    by_epoch = state["by_epoch"]

    metadata = {
        "dataset": dataset,
        "name": name,
        "architecture": {"name": "LeNet", "feature_layer": "fc1, before its ReLU", "hidden": 50},
        "recipe": {
            "epochs": epochs,
            "batch_size": BATCH_SIZE,
            "optimizer": "SGD",
            "lr": LEARNING_RATE,
            "momentum": MOMENTUM,
            "input_normalisation": [MNIST_MEAN, MNIST_STD],
            "feature_input": "unnormalised [0, 1]",
        },
        "seed": seed,
        "train_images": len(train),
        "test_accuracy": by_epoch[-1],
        "test_accuracy_by_epoch": by_epoch,
        "train_seconds": round(loop.seconds, 2),
        "device": str(torch_device),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
    }
    evaluator.metadata = cache_network(name, network, metadata, cache_dir)
    checkpoint.path.unlink(missing_ok=True)
    return evaluator


def lenet_info(dataset: str = "mnist", cache_dir: str | os.PathLike | None = None) -> dict:
    """The cached metadata of ``dataset``'s LeNet; a clear error if it was never trained."""
    name = lenet_name(dataset)
    return cached_metadata(name, cache_dir, _train_command(dataset), f"LeNet for {dataset}")


def load_lenet(
    dataset: str = "mnist", cache_dir: str | os.PathLike | None = None, device: str = "auto"
) -> Evaluator:
    """Load the cached LeNet of ``dataset``, verifying its checksum."""
    metadata = lenet_info(dataset, cache_dir)
    state = cached_state_dict(lenet_name(dataset), metadata, cache_dir, _train_command(dataset))
    network = LeNet()
    network.load_state_dict(state)
    network.to(resolve_device(device)).eval()
    return Evaluator(network, metadata)


def get_lenet(
    dataset: str = "mnist",
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
) -> Evaluator:
    """The cached LeNet of ``dataset``, trained with the reference recipe when none is cached.

    The full recipe is 100 epochs (about 12 minutes on one quiet CPU
    thread); an interrupted training is resumed from its checkpoint. A cached
    LeNet that fails to load is an error, not retrained.
    """
    if not is_cached(lenet_name(dataset), cache_dir):
        return train_lenet(
            dataset, data_dir, cache_dir, device=device, progress=progress, resume=True
        )
    return load_lenet(dataset, cache_dir, device)
