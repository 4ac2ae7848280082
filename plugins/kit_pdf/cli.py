"""Command line: build the kit (for ``invoke kit``), print progress and a one-line summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .builder import DEFAULT_FILENAME, build_kit, seconds_label
from .copy_files import copy_kit_files
from .errors import KitBuildError
from .site import PROJECT_ROOT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kit_pdf", description="Costruisce il «kit sulla delega» (PDF compilabile)."
    )
    parser.add_argument(
        "--force", action="store_true", help="ricostruisce anche se kit/ non è cambiato"
    )
    parser.add_argument("--out", type=Path, help="copia PDF e anteprima in questa cartella")
    parser.add_argument(
        "--source", type=Path, default=PROJECT_ROOT / "kit", help="cartella del kit"
    )
    parser.add_argument(
        "--cache", type=Path, default=PROJECT_ROOT / ".cache" / "kit",
        help="cartella della cache",
    )
    parser.add_argument(
        "--filename", default=DEFAULT_FILENAME, help="nome del PDF copiato con --out"
    )
    return parser


def main(argv: list[str]) -> int:
    """Build the kit; return 0 on success, 1 on a :class:`KitBuildError` (printed to stderr)."""
    args = _parser().parse_args(argv)

    def progress(message: str) -> None:
        print(f"· {message}", flush=True)

    try:
        info = build_kit(args.source, args.cache, force=args.force, progress=progress)
        if args.out is not None:
            pdf, png = copy_kit_files(info, args.out, args.filename)
            progress(f"Copiato in {pdf} e {png.name}")
    except KitBuildError as exc:
        print(f"Errore nel kit: {exc}", file=sys.stderr)
        return 1
    if info.rendered:
        print(
            f"Kit: {info.pages} pagine, {info.size_label}, {info.fields} campi, "
            f"{seconds_label(info.seconds)}"
        )
    else:
        print("Kit invariato (cache)")
    return 0
