"""Cases 1-3: single-stream download and upload against curl, and a tree of small files
with four connections against lftp's ``mirror --parallel=4`` (both directions)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from bench.harness import Run, Side, alternate, compare, python_child, run_child, settle
from bench.servers import BenchServer

BIG_NAME = "bench-big.bin"


def make_file(path: Path, size: int) -> None:
    """Random bytes (nothing on the path may compress or deduplicate them)."""
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        for _ in range(size // len(block)):
            handle.write(block)
        handle.write(block[: size % len(block)])


def make_tree(root: Path, files: int, size: int, per_folder: int = 100) -> None:
    block = os.urandom(size)
    for index in range(files):
        folder = root / f"d{index // per_folder:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{index:05d}.bin").write_bytes(block)


def tree_bytes(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def _curl(server: BenchServer, netrc: Path, *args: str) -> Run:
    run, _ = run_child(["curl", "-s", "-S", "--netrc-file", str(netrc),
                        *server.curl_tls_args(), *args])
    return run


def cli_get(server: BenchServer, path: str, target: Path) -> Run:
    """The whole ``ftp-inspector get`` command (interpreter, imports, connect, transfer):
    its wall time and peak RSS are the CLI's."""
    return run_child(python_child("client", "get", "-q", *server.cli_args(path), "-o",
                                  str(target)), env=server.engine_env())[0]


def case_download(server: BenchServer, work: Path, size: int, pairs: int) -> dict:
    source = server.root / BIG_NAME
    make_file(source, size)
    server.give(source)
    netrc = server.netrc(work)
    target = work / "download.bin"
    url = f"{server.url}/{BIG_NAME}"
    env = server.engine_env()

    def check(label: str, _index: int) -> None:
        if label != "curl /dev/null":
            if target.stat().st_size != size:
                raise SystemExit(f"download {label}: {target.stat().st_size} bytes, "
                                 f"expected {size}")
            target.unlink()

    engine = Side("engine", lambda _i: run_child(
        python_child("bench.engine_child", "download", BIG_NAME, str(target)), env=env)[0])
    to_file = Side("curl file", lambda _i: _curl(server, netrc, "-o", str(target), url))
    to_null = Side("curl /dev/null", lambda _i: _curl(server, netrc, "-o", "/dev/null", url))
    cli = Side("ftp-inspector get", lambda _i: cli_get(server, BIG_NAME, target))
    alternate([engine, to_file, to_null, cli], pairs, before=settle, after=check,
              name=f"download {server.name}")
    source.unlink()
    result = compare(engine, [to_file, to_null])
    result["bytes"] = size
    # the CLI against curl, both whole processes
    result["cli"] = cli.summary()
    result["cli"]["ratio_wall_vs_curl_file"] = (
        result["references"]["curl file"]["median_wall_s"] / result["cli"]["median_wall_s"])
    return result


def case_upload(server: BenchServer, work: Path, size: int, pairs: int) -> dict:
    source = work / "upload-source.bin"
    if not source.exists() or source.stat().st_size != size:
        make_file(source, size)
    upload_dir = server.root / "bench-upload"
    upload_dir.mkdir(exist_ok=True)
    server.give(upload_dir)
    netrc = server.netrc(work)
    env = server.engine_env()

    def check(label: str, index: int) -> None:
        name = f"{'e' if label == 'engine' else 'c'}{index}.bin"
        landed = upload_dir / name
        if landed.stat().st_size != size:
            raise SystemExit(f"upload {label}: {landed.stat().st_size} bytes, expected {size}")
        landed.unlink()

    engine = Side("engine", lambda i: run_child(python_child(
        "bench.engine_child", "upload", str(source), f"bench-upload/e{i}.bin"), env=env)[0])
    curl = Side("curl -T", lambda i: _curl(server, netrc, "-T", str(source),
                                            f"{server.url}/bench-upload/c{i}.bin"))
    alternate([engine, curl], pairs, before=settle, after=check, name=f"upload {server.name}")
    shutil.rmtree(upload_dir)
    result = compare(engine, [curl])
    result["bytes"] = size
    return result


def case_tree_download(server: BenchServer, work: Path, files: int, pairs: int) -> dict:
    remote = server.root / "bench-tree"
    make_tree(remote, files, 4096)
    server.give(remote)
    local = work / "tree-down"
    env = server.engine_env()
    script = server.lftp_script(work, f"mirror --parallel=4 bench-tree {local}", "mirror")

    def check(label: str, _index: int) -> None:
        got = tree_bytes(local)
        if got != (files, files * 4096):
            raise SystemExit(f"tree download {label}: {got} (files, bytes), expected "
                             f"{(files, files * 4096)}")
        shutil.rmtree(local)

    engine = Side("engine", lambda _i: run_child(python_child(
        "bench.engine_child", "mirror-down", "/bench-tree", str(local), "--parallel", "4"),
        env=env)[0])
    lftp = Side("lftp mirror", lambda _i: run_child(["lftp", "-f", str(script)])[0])
    alternate([engine, lftp], pairs, before=settle, after=check,
              name=f"tree download {server.name}")
    shutil.rmtree(remote)
    result = compare(engine, [lftp])
    result["files"] = files
    return result


def case_tree_upload(server: BenchServer, work: Path, files: int, pairs: int) -> dict:
    local = work / "tree-up-source"
    if not local.exists():
        make_tree(local, files, 4096)
    env = server.engine_env()
    parent = server.root / "bench-tree-up"
    parent.mkdir(exist_ok=True)
    server.give(parent)

    def target(label: str, index: int) -> str:
        return f"{'e' if label == 'engine' else 'l'}{index}"

    def check(label: str, index: int) -> None:
        landed = parent / target(label, index)
        got = tree_bytes(landed)
        if got != (files, files * 4096):
            raise SystemExit(f"tree upload {label}: {got} (files, bytes), expected "
                             f"{(files, files * 4096)}")
        shutil.rmtree(landed)

    def lftp_run(index: int) -> Run:
        script = server.lftp_script(
            work, f"mirror -R --parallel=4 {local} bench-tree-up/{target('lftp', index)}",
            "mirror-r")
        return run_child(["lftp", "-f", str(script)])[0]

    engine = Side("engine", lambda i: run_child(python_child(
        "bench.engine_child", "mirror-up", str(local), f"/bench-tree-up/{target('engine', i)}",
        "--parallel", "4"), env=env)[0])
    lftp = Side("lftp mirror -R", lftp_run)
    alternate([engine, lftp], pairs, before=settle, after=check,
              name=f"tree upload {server.name}")
    shutil.rmtree(parent)
    result = compare(engine, [lftp])
    result["files"] = files
    return result
