"""A user's own images with missing pixels: read them, and write their completions.

Two ways in, neither needing the true values of the missing pixels:

- **A folder of PNG files** (every ``*.png`` / ``*.PNG`` directly in it, in
  sorted name order; other files and sub-folders are not read). 8-bit
  grayscale (1-bit is read as 0 / 255) or 8-bit RGB, palette images as RGB.
  A pixel is missing where its alpha is 0 (grayscale + alpha, RGBA, or a
  ``tRNS`` transparent colour); any other alpha counts as observed, with its
  colour values used as they are (not composited). A separate mask folder
  (``masks``) holds a PNG of the same name for every image: 8-bit grayscale,
  0 = missing, 255 = observed, nothing else. Where both are given, a pixel
  is missing if either says so. A missing pixel is missing in every channel.
  16-bit PNGs are refused (Pillow would reduce 16-bit RGB to 8 bits without
  a word): save 8-bit PNGs or pass an array.
- **An array** in a ``.npy`` file, or a ``.npz`` file holding one array (or
  one named ``images``): floating point, shape (N, H, W) for grayscale or
  (N, C, H, W) with C = 1 or 3, values in [0, 1], NaN where missing (per
  channel). ``masks`` may be a second such file of the same shape, 1 (or
  True) = observed, 0 = missing.

Every image of a set must have the same size and channels, and the set must
hold at least one observed pixel; anything else is an
:class:`~mixmiss.errors.InputError` that names the file.

:func:`write_completed` writes the completions: ``completed.npy``, float
in [0, 1], and one 8-bit PNG per image (the input's file names,
``00000.png``, ... for an array; grayscale or RGB, no alpha) holding
``rint(255 v)`` of it. The observed pixels are copied from the input, never
recomputed: ``completed.npy`` holds the input's values there bit for bit --
float32 ``v / 255`` for PNG input, shape (N, C, H, W); the input's own dtype
and shape for an array -- and the PNGs of PNG input the input's bytes.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..atomic import atomic_write_bytes
from ..errors import InputError, MixmissError

#: The array file :func:`write_completed` writes beside the PNGs.
COMPLETED_ARRAY = "completed.npy"

#: Channel counts the readers accept (grayscale, RGB).
CHANNELS = {1: "grayscale", 3: "RGB"}

_ARRAY_SUFFIXES = (".npy", ".npz")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class MaskedImages:
    """A set of images with missing pixels, as read from a user's files.

    Attributes
    ----------
    values : numpy.ndarray, shape (N, C, H, W), floating
        The pixel values in [0, 1] with missing entries set to 0: float32 ``v / 255``
        for PNGs, the array's own dtype for an array.
    mask : numpy.ndarray of bool, shape (N, C, H, W)
        True = observed.
    names : tuple of str
        The PNG file name of each image (input names, or ``00000.png``, ... for an array).
    pixels : numpy.ndarray of uint8, shape (N, C, H, W), or None
        The PNGs' 8-bit values as read (None for an array).
    array_shape : tuple of int
        Shape of the array :func:`write_completed` writes (an array input's own).
    source : Path
        Where the images were read from.
    """

    values: np.ndarray
    mask: np.ndarray
    names: tuple[str, ...]
    pixels: np.ndarray | None
    array_shape: tuple[int, ...]
    source: Path

    @property
    def shape(self) -> tuple[int, int, int]:
        """(C, H, W) of every image."""
        return tuple(self.values.shape[1:])

    def describe(self) -> str:
        """E.g. ``"RGB 32x40"``."""
        return _describe(self.shape)


def read_masked_images(
    images: str | os.PathLike, masks: str | os.PathLike | None = None
) -> MaskedImages:
    """Read a folder of PNGs or a ``.npy`` / ``.npz`` array (see the module docstring).

    Parameters
    ----------
    images : path
        A folder of PNG files, or a ``.npy`` / ``.npz`` file.
    masks : path, optional
        A folder of mask PNGs with the images' file names (for a PNG folder),
        or an array file of the images' shape (for an array).

    Returns
    -------
    MaskedImages

    Raises
    ------
    InputError
        Unreadable, unsupported or inconsistent files (the message names the
        file), or a set with no observed pixel.
    """
    source = Path(images)
    if source.is_dir():
        read = _read_png_folder(source, None if masks is None else Path(masks))
    elif source.suffix.lower() in _ARRAY_SUFFIXES and source.is_file():
        read = _read_array_set(source, None if masks is None else Path(masks))
    elif not source.exists():
        raise InputError(
            f"{source} does not exist; give a folder of PNG files or a .npy/.npz file."
        )
    else:
        raise InputError(
            f"{source} is neither a folder of PNG files nor a .npy/.npz file; give one of those."
        )
    if not read.mask.any():
        raise InputError(
            f"{source} has no observed pixel (every pixel is missing: alpha 0, mask 0 or NaN); "
            "there is nothing to learn from or complete from. Check the alpha channel or masks."
        )
    return read


# -- PNG folders ---------------------------------------------------------------------------
def _png_files(folder: Path, what: str) -> dict[str, Path]:
    files = {
        p.name: p for p in sorted(folder.iterdir()) if p.suffix.lower() == ".png" and p.is_file()
    }
    if not files:
        raise InputError(f"the {what} folder {folder} holds no .png file.")
    return files


def _read_png_folder(folder: Path, mask_folder: Path | None) -> MaskedImages:
    files = _png_files(folder, "images")
    mask_files = None
    if mask_folder is not None:
        if not mask_folder.is_dir():
            raise InputError(
                f"the masks {mask_folder} must be a folder of PNGs for a folder of images."
            )
        mask_files = _png_files(mask_folder, "masks")
        extra = sorted(set(mask_files) - set(files))
        if extra:
            raise InputError(
                f"{mask_files[extra[0]]} has no image of the same name in {folder}; "
                "a mask folder holds one PNG per image, with the image's file name."
            )
    pixels, observed, first = [], [], None
    for name, path in files.items():
        values, alpha = _read_png(path)
        if first is None:
            first = (path, values.shape)
        elif values.shape != first[1]:
            raise InputError(
                f"{path} is {_describe(values.shape)} but {first[0]} is {_describe(first[1])}; "
                "all images of one set must share their size and channels (convert them first)."
            )
        if mask_files is not None:
            if name not in mask_files:
                raise InputError(f"{path} has no mask: {mask_folder / name} is missing.")
            mask = _read_mask_png(mask_files[name], values.shape[1:])
            alpha = mask if alpha is None else alpha & mask
        pixels.append(values)
        observed.append(np.ones(values.shape[1:], bool) if alpha is None else alpha)
    pixels = np.stack(pixels)
    mask = np.broadcast_to(np.stack(observed)[:, None], pixels.shape).copy()
    values = np.where(mask, pixels.astype(np.float32) / np.float32(255), np.float32(0))
    return MaskedImages(values, mask, tuple(files), pixels, values.shape, folder)


def _describe(shape: tuple[int, ...]) -> str:
    c, h, w = shape
    return f"{CHANNELS[c]} {h}x{w}"


def _bit_depth(path: Path) -> int | None:
    """The bit depth in a PNG's header (None if it is not a PNG)."""
    with open(path, "rb") as handle:
        head = handle.read(26)
    if len(head) < 26 or not head.startswith(_PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    return head[24]


def _open_png(path: Path) -> Image.Image:
    """The loaded image at ``path``, refusing what is not an 8-bit (or lower) PNG."""
    try:
        depth = _bit_depth(path)
        if depth is None:
            raise InputError(f"{path} is not a PNG file; save it as PNG.")
        if depth > 8:
            raise InputError(
                f"{path} is a {depth}-bit PNG; only 8-bit PNGs are read. Save it with 8 bits "
                "per channel, or pass the images as a .npy array of floats in [0, 1]."
            )
        image = Image.open(path)
        image.load()
        return image
    except MixmissError:
        raise
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, ...
        raise InputError(f"cannot read {path}: {exc}. Is it a valid PNG?") from exc


def _read_png(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """(C, H, W) uint8 values and the (H, W) observed-by-alpha mask (None without alpha)."""
    image = _open_png(path)
    transparent = "transparency" in image.info
    if image.mode == "1":
        image = image.convert("L")
    elif image.mode in ("P", "PA"):
        image = image.convert("RGBA" if transparent or image.mode == "PA" else "RGB")
    elif image.mode in ("L", "RGB") and transparent:
        image = image.convert({"L": "LA", "RGB": "RGBA"}[image.mode])
    if image.mode not in ("L", "LA", "RGB", "RGBA"):
        raise InputError(
            f"{path} has the PNG mode {image.mode}; save it as 8-bit grayscale or RGB "
            "(with or without alpha)."
        )
    array = np.asarray(image)
    if array.ndim == 2:
        return array[None], None
    alpha = None
    if image.mode in ("LA", "RGBA"):
        array, alpha = array[..., :-1], array[..., -1] != 0
    return np.ascontiguousarray(np.moveaxis(array, -1, 0)), alpha


def _read_mask_png(path: Path, size: tuple[int, int]) -> np.ndarray:
    """The (H, W) observed mask of a mask PNG: 255 = observed, 0 = missing."""
    image = _open_png(path)
    if image.mode == "1":
        image = image.convert("L")
    if image.mode != "L":
        raise InputError(
            f"the mask {path} has the PNG mode {image.mode}; a mask is an 8-bit grayscale PNG "
            "with 0 = missing and 255 = observed."
        )
    mask = np.asarray(image)
    if mask.shape != size:
        raise InputError(
            f"the mask {path} is {mask.shape[0]}x{mask.shape[1]} but its image is "
            f"{size[0]}x{size[1]}; a mask must have its image's size."
        )
    if not np.isin(mask, (0, 255)).all():
        raise InputError(
            f"the mask {path} holds values other than 0 (missing) and 255 (observed); "
            "save it as a black-and-white mask."
        )
    return mask == 255


# -- arrays ---------------------------------------------------------------------------------
def _load_array(path: Path, what: str) -> np.ndarray:
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                keys = list(loaded.files)
                key = what if what in keys else (keys[0] if len(keys) == 1 else None)
                if key is None:
                    raise InputError(
                        f"{path} holds the arrays {', '.join(keys) or '(none)'}; give a .npz "
                        f"with one array, or name it {what!r}."
                    )
                return loaded[key]
        return loaded
    except MixmissError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read {path}: {exc}. Is it a .npy/.npz file?") from exc


def _read_array_set(path: Path, mask_path: Path | None) -> MaskedImages:
    array = _load_array(path, "images")
    if array.dtype.kind != "f":
        raise InputError(
            f"{path} holds {array.dtype} values; pass floats in [0, 1] with NaN where missing "
            "(e.g. x / 255 for 8-bit images)."
        )
    if array.ndim == 3:
        images = array[:, None]
    elif array.ndim == 4 and array.shape[1] in CHANNELS:
        images = array
    else:
        hint = ""
        if array.ndim == 4 and array.shape[-1] in CHANNELS:
            hint = " Channels come second: use np.moveaxis(x, -1, 1)."
        raise InputError(
            f"{path} has shape {array.shape}; give (N, H, W) grayscale images or (N, C, H, W) "
            f"with C = 1 or 3.{hint}"
        )
    if images.shape[0] == 0 or 0 in images.shape[2:]:
        raise InputError(f"{path} is empty (shape {array.shape}).")
    mask = ~np.isnan(images)
    if mask_path is not None:
        mask &= _read_array_mask(mask_path, array.shape).reshape(images.shape)
    observed = images[mask]
    if not np.isfinite(observed).all() or not ((observed >= 0) & (observed <= 1)).all():
        raise InputError(
            f"{path} has observed values that are infinite or outside [0, 1]; rescale the "
            "images to [0, 1] and mark missing pixels with NaN."
        )
    values = np.where(mask, images, images.dtype.type(0))
    names = tuple(f"{i:0{max(5, len(str(len(images) - 1)))}d}.png" for i in range(len(images)))
    return MaskedImages(values, mask, names, None, tuple(array.shape), path)


def _read_array_mask(path: Path, shape: tuple[int, ...]) -> np.ndarray:
    if path.suffix.lower() not in _ARRAY_SUFFIXES or not path.is_file():
        raise InputError(f"the masks of an image array must be a .npy/.npz file; got {path}.")
    mask = _load_array(path, "mask")
    if mask.shape != shape:
        raise InputError(
            f"the mask {path} has shape {mask.shape} but the images have {shape}; "
            "a mask needs one entry (1 = observed, 0 = missing) per value."
        )
    if mask.dtype != np.bool_ and not np.isin(mask, (0, 1)).all():
        raise InputError(f"the mask {path} must hold only 0 (missing) and 1 (observed).")
    return mask.astype(bool)


# -- writing -------------------------------------------------------------------------------
def write_completed(directory: str | os.PathLike, images: MaskedImages, completed) -> Path:
    """Write the completions of ``images`` into ``directory`` (see the module docstring).

    Parameters
    ----------
    directory : path
        Where the PNGs and ``completed.npy`` go (created if needed). Build it
        with :func:`mixmiss.atomic.atomic_directory` to publish it all at once.
    images : MaskedImages
        The input; its observed pixels are copied into the outputs.
    completed : array-like, shape (N, C, H, W)
        Every pixel filled in, in [0, 1]; only its missing pixels are used.

    Returns
    -------
    Path of ``completed.npy``.
    """
    directory = Path(directory)
    completed = np.asarray(completed)
    if completed.shape != images.values.shape:
        raise InputError(
            f"the completions have shape {completed.shape}, the images {images.values.shape}."
        )
    if not np.isfinite(completed[~images.mask]).all():
        raise InputError(
            "the imputer returned NaN or infinite values for missing pixels; its training "
            "diverged: fit it again (e.g. with a smaller learning rate)."
        )
    filled = np.clip(completed, 0.0, 1.0).astype(images.values.dtype)
    array = np.where(images.mask, images.values, filled)
    pixels = np.rint(array.astype(np.float64) * 255).astype(np.uint8)
    if images.pixels is not None:  # the input's own bytes, not a round trip through floats
        pixels = np.where(images.mask, images.pixels, pixels)
    for name, image in zip(images.names, pixels, strict=True):
        buffer = io.BytesIO()
        Image.fromarray(image[0] if image.shape[0] == 1 else np.moveaxis(image, 0, -1)).save(
            buffer, format="PNG"
        )
        atomic_write_bytes(directory / name, buffer.getvalue())
    buffer = io.BytesIO()
    np.save(buffer, array.reshape(images.array_shape), allow_pickle=False)
    return atomic_write_bytes(directory / COMPLETED_ARRAY, buffer.getvalue())
