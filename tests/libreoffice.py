"""Headless LibreOffice: the real spreadsheet program that opens what we generate."""

import shutil
import subprocess
from pathlib import Path

SOFFICE = shutil.which("soffice")


def convert(src: Path, fmt: str, out: Path, timeout: float = 300) -> Path:
    """Open `src` in LibreOffice (recalculating it) and save it as `fmt` (pdf, xlsx, ...) in `out`.

    Each call gets its own user profile under `out`, so parallel or repeated runs never clash.
    """
    return convert_many([src], fmt, out, timeout)[0]


def convert_many(srcs: list[Path], fmt: str, out: Path, timeout: float = 600) -> list[Path]:
    """convert() for many files in one LibreOffice start (the start is most of a small file's time)."""
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--calc",
            "--convert-to",
            fmt,
            "--outdir",
            str(out),
            *map(str, srcs),
        ],
        check=True,
        timeout=timeout,
        capture_output=True,
    )
    results = [out / f"{src.stem}.{fmt.split(':')[0]}" for src in srcs]
    missing = [r.name for r in results if not r.exists()]
    if missing:
        raise FileNotFoundError(f"LibreOffice wrote no {', '.join(missing)}")
    return results
