"""Which installed fonts the PDF report writes with: one for Latin text and one per script of
the town's languages (Thai, Japanese), found through fontconfig, never downloaded.

fpdf2's built-in Helvetica covers Latin-1 only. A town whose languages need more (Thai, Japanese)
gets the fonts fontconfig finds for them (`fc-match :lang=th`), used as fallbacks after the
Latin one; without them its PDF prints those characters as `?` and the log says which package
to install (the HTML report is always complete).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LATIN = "latin"
SCRIPTS = {"th": "thai", "ja": "japanese", "zh": "chinese", "ko": "korean"}
"""Languages whose letters lie outside Latin-1, and the name their PDF font gets."""
SUFFIXES = (".ttf", ".otf", ".ttc")
"""Font files fpdf2 can embed."""
PACKAGES = {"th": "fonts-tlwg-loma-ttf", "ja": "fonts-ipafont-gothic"}
"""Small Debian packages that give fontconfig a font for the language."""
TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class PdfFont:
    """A font file to embed and the name the PDF knows it by."""

    name: str
    path: Path


@dataclass(frozen=True, slots=True)
class PdfFonts:
    """The Latin font and its bold (None: Helvetica) and the fallbacks for other scripts."""

    latin: PdfFont | None
    bold: PdfFont | None
    fallbacks: tuple[PdfFont, ...]


def find_fonts(languages: Iterable[str]) -> PdfFonts:
    """The fonts for a report in a town speaking `languages` (what fontconfig has)."""
    binary = shutil.which("fc-match")
    if binary is None:
        log.warning("fontconfig's fc-match is not installed: the PDF report is in Helvetica")
        return PdfFonts(None, None, ())
    latin = _match(binary, "DejaVu Sans:style=Book")
    bold = _match(binary, "DejaVu Sans:style=Bold") if latin is not None else None
    fallbacks = []
    for language in dict.fromkeys(languages):
        if language not in SCRIPTS:
            continue
        path = _match(binary, f":lang={language}", covering=language)
        if path is None:
            package = PACKAGES.get(language, "a font for it")
            log.warning("no font for %s: its text is `?` in the PDF; install %s", language, package)
            continue
        fallbacks.append(PdfFont(SCRIPTS[language], path))
    base = None if latin is None else PdfFont(LATIN, latin)
    return PdfFonts(base, None if bold is None else PdfFont(LATIN, bold), tuple(fallbacks))


def _match(binary: str, pattern: str, covering: str | None = None) -> Path | None:
    """The file fontconfig picks for `pattern`, if fpdf2 can embed it (and, with `covering`,
    if it has that language's letters: fc-match answers its default font when none has)."""
    try:
        done = subprocess.run(  # noqa: S603 (our own arguments, no shell)
            [binary, "--format=%{file}\n%{lang}", pattern],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    file, _, languages = done.stdout.partition("\n")
    path = Path(file.strip())
    if done.returncode != 0 or path.suffix.lower() not in SUFFIXES or not path.is_file():
        return None
    if covering is not None and covering not in languages.strip().split("|"):
        return None
    return path
