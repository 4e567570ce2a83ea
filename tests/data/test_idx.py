import gzip
import struct

import numpy as np
import pytest

from mixmiss.data.idx import IMAGE_MAGIC, LABEL_MAGIC, md5_hex, parse_idx, read_idx
from mixmiss.errors import DataError


def idx_images(n=3, rows=4, cols=5, seed=0) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
    return struct.pack(">IIII", IMAGE_MAGIC, n, rows, cols) + pixels.tobytes()


def idx_labels(labels) -> bytes:
    return struct.pack(">II", LABEL_MAGIC, len(labels)) + bytes(labels)


def test_parse_images_and_labels():
    images = parse_idx(idx_images(), IMAGE_MAGIC, "x")
    assert images.shape == (3, 4, 5) and images.dtype == np.uint8
    labels = parse_idx(idx_labels([1, 2, 9]), LABEL_MAGIC, "y")
    assert labels.tolist() == [1, 2, 9]


def test_wrong_magic_names_file_and_magic():
    with pytest.raises(DataError, match=r"labels\.idx is not an IDX image file: magic number 2049"):
        parse_idx(idx_labels([1, 2]), IMAGE_MAGIC, "labels.idx")


def test_truncated_payload_is_reported():
    with pytest.raises(DataError, match="truncated or corrupt"):
        parse_idx(idx_images()[:-7], IMAGE_MAGIC, "images.idx")


def test_header_too_short():
    with pytest.raises(DataError, match="too short"):
        parse_idx(b"\x00\x00", IMAGE_MAGIC, "tiny")


def test_read_gz_with_checksum(tmp_path):
    raw = idx_images()
    path = tmp_path / "imgs.gz"
    path.write_bytes(gzip.compress(raw))
    assert read_idx(path, IMAGE_MAGIC, md5_hex(raw)).shape == (3, 4, 5)


def test_checksum_mismatch_names_file(tmp_path):
    path = tmp_path / "imgs"
    path.write_bytes(idx_images())
    with pytest.raises(DataError, match=r"imgs fails its checksum.*expected 0+"):
        read_idx(path, IMAGE_MAGIC, "0" * 32)


def test_truncated_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "imgs.gz"
    path.write_bytes(gzip.compress(idx_images(n=50))[:40])
    with pytest.raises(DataError, match=r"imgs\.gz is truncated or not a valid gzip file"):
        read_idx(path, IMAGE_MAGIC)


def test_garbage_gzip_is_a_clear_error(tmp_path):
    path = tmp_path / "imgs.gz"
    path.write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError, match="not a valid gzip file"):
        read_idx(path, IMAGE_MAGIC)
