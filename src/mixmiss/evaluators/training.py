"""Training evaluators and caching them with their metadata.

Every cached network lives in ``<cache_dir>/evaluators/<name>.pt`` (the
state dict, loaded with ``weights_only=True``) beside ``<name>.json``
(architecture, seed, recipe, test accuracy, training time and the SHA-256
checksum of the weights file, verified on every load). The evaluator CNN of
a dataset is cached under the dataset's name (``mnist``); other feature
networks use the same mechanism (:func:`cache_network`,
:func:`cached_metadata`, :func:`cached_state_dict`) under their own name,
e.g. the reference LeNet of :mod:`.lenet` as ``lenet-mnist``.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from torch import nn
from tqdm.auto import tqdm

from .. import paths
from ..atomic import atomic_torch_save, atomic_write_json, load_checkpoint
from ..data import ImageDataset, get_spec, load_dataset
from ..device import resolve_device
from ..errors import CacheError, InputError
from ..rng import isolated_seed, make_generator
from .evaluator import Evaluator
from .network import ClassifierCNN, ClassifierConfig


@dataclass(frozen=True)
class TrainingRecipe:
    """How one dataset's evaluator is trained: Adam with a one-cycle schedule."""

    architecture: ClassifierConfig
    epochs: int
    batch_size: int = 128
    max_lr: float = 3e-3
    weight_decay: float = 0.0


#: Recipes sized to meet the accuracy targets (MNIST >= 99.0 %, Fashion-MNIST
#: >= 90.0 %) well inside 10 minutes on a 2-core CPU.
RECIPES: dict[str, TrainingRecipe] = {
    "mnist": TrainingRecipe(ClassifierConfig(28, (32, 64), 5, 128), epochs=3),
    "fashion-mnist": TrainingRecipe(ClassifierConfig(28, (32, 64), 5, 128), epochs=5),
    "digits": TrainingRecipe(ClassifierConfig(8, (16, 32), 3, 64), epochs=60, batch_size=64),
}


def _evaluator_dir(cache_dir: str | os.PathLike | None) -> Path:
    return paths.cache_dir(cache_dir) / "evaluators"


def _recipe(dataset: str) -> TrainingRecipe:
    get_spec(dataset)  # unknown names get the registry's error
    if dataset not in RECIPES:
        raise InputError(
            f"there is no evaluator for {dataset} yet (evaluators exist for "
            f"{', '.join(RECIPES)}); its MMGAN runs train, sample and draw figures, but "
            "`mmgan eval` needs one."
        )
    return RECIPES[dataset]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def writable_cache(cache_dir: str | os.PathLike | None) -> Path:
    """The evaluator cache directory, created and checked writable (before a long training)."""
    return paths.ensure_writable_dir(
        _evaluator_dir(cache_dir),
        "evaluator cache directory",
        f"--cache-dir or {paths.CACHE_DIR_ENV}",
    )


def cache_network(
    name: str, network: nn.Module, metadata: dict, cache_dir: str | os.PathLike | None
) -> dict:
    """Write ``network``'s state dict as ``<name>.pt`` and ``metadata`` as ``<name>.json``.

    Both writes are atomic; the weights go first, so the metadata (written
    last) always describes weights that exist. Returns ``metadata`` with
    ``checksum`` (SHA-256 of the weights file) and ``created`` added.
    """
    out_dir = writable_cache(cache_dir)
    weights_path = atomic_torch_save(out_dir / f"{name}.pt", network.state_dict())
    metadata = {
        **metadata,
        "checksum": _sha256(weights_path),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    atomic_write_json(out_dir / f"{name}.json", metadata)
    return metadata


def cached_metadata(
    name: str, cache_dir: str | os.PathLike | None, train_command: str, what: str
) -> dict:
    """The metadata cached as ``<name>.json``; a clear error naming ``what`` and
    ``train_command`` if absent."""
    meta_path = _evaluator_dir(cache_dir) / f"{name}.json"
    if not meta_path.is_file():
        raise CacheError(
            f"no trained {what} in {meta_path.parent}; train one with "
            f"`{train_command}`, or point --cache-dir / {paths.CACHE_DIR_ENV} at the cache "
            "that holds it."
        )
    try:
        metadata = json.loads(meta_path.read_text())
    except (OSError, ValueError) as exc:
        raise CacheError(f"cannot read {meta_path}: {exc}; train the network again.") from exc
    if not isinstance(metadata, dict) or not {"checksum", "architecture"} <= set(metadata):
        raise CacheError(
            f"{meta_path} is not the metadata of a trained {what}; train it again with "
            f"`{train_command}`."
        )
    return metadata


def cached_state_dict(
    name: str, metadata: dict, cache_dir: str | os.PathLike | None, train_command: str
) -> dict:
    """The state dict cached as ``<name>.pt``, verified against ``metadata["checksum"]``."""
    weights_path = _evaluator_dir(cache_dir) / f"{name}.pt"
    if not weights_path.is_file() or _sha256(weights_path) != metadata.get("checksum"):
        raise CacheError(
            f"{weights_path} is missing or does not match the checksum in its metadata; "
            f"train it again with `{train_command}`."
        )
    return load_checkpoint(weights_path)


def training_data(
    dataset: str, data_dir: str | os.PathLike | None, max_train: int | None
) -> tuple[ImageDataset, ImageDataset]:
    """The training split (its first ``max_train`` images when given) and the test split."""
    train = load_dataset(dataset, "train", data_dir)
    if max_train is not None:
        train = train.subset(slice(0, max_train))
    return train, load_dataset(dataset, "test", data_dir)


def is_cached(name: str, cache_dir: str | os.PathLike | None) -> bool:
    """Whether metadata for ``name`` is cached (its weights are verified on load)."""
    return (_evaluator_dir(cache_dir) / f"{name}.json").is_file()


def _train_command(dataset: str) -> str:
    return f"mixmiss evaluator train --dataset {dataset}"


def train_evaluator(
    dataset: str,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    seed: int = 0,
    epochs: int | None = None,
    max_train: int | None = None,
    device: str = "auto",
    progress: bool = True,
) -> Evaluator:
    """Train the evaluator of ``dataset`` on its training set and cache it.

    Parameters
    ----------
    dataset : {"mnist", "fashion-mnist", "digits"}
    data_dir, cache_dir : path, optional
        See :mod:`mixmiss.paths`. The cache directory must be writable.
    seed : int
        Seeds initialisation, dropout and the minibatch order.
    epochs : int, optional
        Overrides the recipe's epoch count (tests use 1).
    max_train : int, optional
        Train on the first ``max_train`` images only (tests).
    device : {"auto", "cpu", "cuda"}

    Returns
    -------
    Evaluator
        With ``metadata["test_accuracy"]`` measured on the full test split.
    """
    recipe = _recipe(dataset)
    if epochs is not None:
        if epochs < 1:
            raise InputError(f"epochs must be >= 1, got {epochs}.")
        recipe = replace(recipe, epochs=epochs)
    writable_cache(cache_dir)
    torch_device = resolve_device(device)
    train, test = training_data(dataset, data_dir, max_train)
    x_train = train.images.to(torch_device)
    y_train = train.labels.to(torch_device)

    start = time.perf_counter()
    with isolated_seed(seed, torch_device):
        network = ClassifierCNN(recipe.architecture).to(torch_device)
        optimizer = torch.optim.Adam(
            network.parameters(), lr=recipe.max_lr / 25, weight_decay=recipe.weight_decay
        )
        steps_per_epoch = max(len(train) // recipe.batch_size, 1)
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, recipe.max_lr, total_steps=recipe.epochs * steps_per_epoch
        )
        order_rng = make_generator(seed)
        bar = tqdm(
            total=recipe.epochs * steps_per_epoch, desc=f"evaluator {dataset}", disable=not progress
        )
        network.train()
        for _ in range(recipe.epochs):
            order = torch.randperm(len(train), generator=order_rng).to(torch_device)
            for step in range(steps_per_epoch):
                batch = order[step * recipe.batch_size : (step + 1) * recipe.batch_size]
                loss = nn.functional.cross_entropy(network(x_train[batch]), y_train[batch])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                schedule.step()
                bar.update()
                if step % 50 == 0:
                    bar.set_postfix(loss=f"{loss.item():.3f}")
        bar.close()
    train_seconds = time.perf_counter() - start
    network.eval()

    evaluator = Evaluator(network, {"dataset": dataset})
    test_accuracy = evaluator.accuracy(test.images, test.labels)
    metadata = {
        "dataset": dataset,
        "architecture": {"name": "ClassifierCNN", **recipe.architecture.to_dict()},
        "recipe": {k: v for k, v in asdict(recipe).items() if k != "architecture"},
        "seed": seed,
        "train_images": len(train),
        "test_accuracy": test_accuracy,
        "train_seconds": round(train_seconds, 2),
        "device": str(torch_device),
        "torch": torch.__version__,
        "machine": f"{platform.machine()} {os.cpu_count()} cpus",
    }
    evaluator.metadata = cache_network(dataset, network, metadata, cache_dir)
    return evaluator


def evaluator_info(dataset: str, cache_dir: str | os.PathLike | None = None) -> dict:
    """The cached metadata of ``dataset``'s evaluator; a clear error if it was never trained."""
    _recipe(dataset)
    return cached_metadata(dataset, cache_dir, _train_command(dataset), f"evaluator for {dataset}")


def load_evaluator(
    dataset: str, cache_dir: str | os.PathLike | None = None, device: str = "auto"
) -> Evaluator:
    """Load the cached evaluator of ``dataset``, verifying its checksum."""
    metadata = evaluator_info(dataset, cache_dir)
    state = cached_state_dict(dataset, metadata, cache_dir, _train_command(dataset))
    architecture = {k: v for k, v in metadata["architecture"].items() if k != "name"}
    network = ClassifierCNN(ClassifierConfig.from_dict(architecture))
    network.load_state_dict(state)
    network.to(resolve_device(device)).eval()
    return Evaluator(network, metadata)


def get_evaluator(
    dataset: str,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
) -> Evaluator:
    """The cached evaluator of ``dataset``, trained (with the default recipe) when none is cached.

    A cached evaluator that fails to load (corrupt, wrong checksum) is an
    error, not silently retrained.
    """
    if not is_cached(dataset, cache_dir):
        return train_evaluator(dataset, data_dir, cache_dir, device=device, progress=progress)
    return load_evaluator(dataset, cache_dir, device)
