"""Downloading dataset files, offline: file:// mirrors stand in for the public ones."""

from __future__ import annotations

import gzip
import hashlib

import pytest

from mixmiss.data import download
from mixmiss.data.download import download_gz, fetch_url
from mixmiss.errors import DataError

CONTENT = bytes(range(256)) * 40  # 10 KiB: a few chunks of the reader when _CHUNK is small


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def mirror(tmp_path):
    """A directory holding a good ``data.gz``, and its file:// URL."""
    directory = tmp_path / "mirror"
    directory.mkdir()
    (directory / "data.gz").write_bytes(gzip.compress(CONTENT, mtime=0))
    return directory


def corrupt_deflate(payload: bytes) -> bytes:
    """A gzip file whose header is fine but whose deflate stream is damaged."""
    damaged = bytearray(payload)
    damaged[20] ^= 0xFF
    return bytes(damaged)


def test_fetch_url_reads_the_whole_body_in_chunks(mirror, monkeypatch):
    monkeypatch.setattr(download, "_CHUNK", 1000)
    body = fetch_url(f"file://{mirror}/data.gz", progress=False)
    assert body == (mirror / "data.gz").read_bytes()
    assert fetch_url(f"file://{mirror}/data.gz", progress=True) == body  # with a progress bar


def test_fetch_url_of_a_missing_file_is_an_oserror(mirror):
    with pytest.raises(OSError):
        fetch_url(f"file://{mirror}/absent.gz", progress=False)


def test_download_stores_the_compressed_file_after_checking_the_uncompressed_md5(mirror, tmp_path):
    dest = tmp_path / "out" / "data.gz"
    path = download_gz("data", [f"file://{mirror}"], dest, md5(CONTENT), progress=False)
    assert path == dest
    assert dest.read_bytes() == (mirror / "data.gz").read_bytes()
    assert gzip.decompress(dest.read_bytes()) == CONTENT
    assert [p.name for p in dest.parent.iterdir()] == ["data.gz"]  # no temporary left


@pytest.mark.parametrize("suffix", ["", "/", "//"])
def test_mirror_urls_with_or_without_trailing_slash(mirror, tmp_path, suffix):
    dest = tmp_path / "data.gz"
    download_gz("data", [f"file://{mirror}{suffix}"], dest, md5(CONTENT), progress=False)
    assert dest.is_file()


def test_the_first_good_mirror_wins(mirror, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "data.gz").write_bytes(gzip.compress(b"another file"))
    dest = tmp_path / "data.gz"
    mirrors = [f"file://{tmp_path}/absent/", f"file://{bad}/", f"file://{mirror}/"]
    download_gz("data", mirrors, dest, md5(CONTENT), progress=False)
    assert gzip.decompress(dest.read_bytes()) == CONTENT


def test_when_every_mirror_fails_the_error_lists_each_failure(mirror, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "data.gz").write_bytes(gzip.compress(b"another file"))
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "data.gz").write_bytes(CONTENT)  # not gzip at all
    short = tmp_path / "short"
    short.mkdir()
    (short / "data.gz").write_bytes((mirror / "data.gz").read_bytes()[:100])  # truncated
    mirrors = [f"file://{d}/" for d in (tmp_path / "absent", bad, plain, short)]
    dest = tmp_path / "out" / "data.gz"
    with pytest.raises(DataError) as info:
        download_gz("data", mirrors, dest, md5(CONTENT), progress=False)
    message = str(info.value)
    assert message.startswith("could not download data: ")
    failures = message.removeprefix("could not download data: ").split("; ")
    assert len(failures) == 4
    for failure, directory in zip(failures, (tmp_path / "absent", bad, plain, short), strict=True):
        assert failure.startswith(f"file://{directory}/data.gz: ")
    assert f"checksum {md5(b'another file')}, expected {md5(CONTENT)}" in failures[1]
    assert not dest.exists()


def test_a_damaged_deflate_stream_falls_through_to_the_next_mirror(mirror, tmp_path):
    """zlib.error is not an OSError: a mirror serving a corrupt body must still count
    as a failed mirror, not abort the download."""
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "data.gz").write_bytes(corrupt_deflate((mirror / "data.gz").read_bytes()))
    dest = tmp_path / "data.gz"
    download_gz(
        "data", [f"file://{damaged}/", f"file://{mirror}/"], dest, md5(CONTENT), progress=False
    )
    assert gzip.decompress(dest.read_bytes()) == CONTENT
    with pytest.raises(DataError, match="could not download data: .*damaged/data.gz"):
        download_gz("data", [f"file://{damaged}/"], tmp_path / "x.gz", md5(CONTENT), progress=False)


def test_no_mirrors_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="could not download data: $"):
        download_gz("data", [], tmp_path / "data.gz", md5(CONTENT), progress=False)
