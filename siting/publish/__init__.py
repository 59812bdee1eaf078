"""The public map as static files: ``siting publish --out DIR``.

:func:`publish` writes a self-contained site — ``index.html``, ``app.js``, ``style.css``, the
vendored Leaflet (``vendor/leaflet/``, BSD 2-Clause, its LICENSE beside it) and the data files in
``data/`` — that any static web server or CDN can serve with no internet. The page is Persian and
right-to-left with an English switch; it shows the offices by type (name, type and status only), the
areas without an office of each type, a search for a town or village, and for a click anywhere:
whether an office of each type serves the spot (the straight-line WGS84 geodesic distance, computed
in the browser, within the rules' service radius), the nearest offices and how far, whether the spot
lies in a gap, and what the applicant does next (the guide's steps, a section of the page). SAMPLE
data is labelled on the page.

The folder is replaced whole or not at all: the site is built in a temporary folder beside it and
renamed into place. A folder that is neither empty nor a previous publish (it holds
:data:`MARKER`) is refused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from siting.errors import InputError
from siting.publish import data as _data
from siting.rules import Rules
from siting.workspace import Workspace

#: The file that marks a folder as written by :func:`publish` (replaced on the next publish).
MARKER = ".siting-publish.json"
#: The published layers of one province stay under this many bytes together.
DATA_LIMIT_BYTES = 2_000_000
SITE_DIR = Path(__file__).resolve().parent / "site"
#: Files copied from the package: the page, its script and style, and the vendored Leaflet.
STATIC_FILES = ("app.js", "style.css", "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
                "vendor/leaflet/LICENSE", "vendor/leaflet/VENDOR.md", "vendor/leaflet/images/layers.png",
                "vendor/leaflet/images/layers-2x.png", "vendor/leaflet/images/marker-icon.png",
                "vendor/leaflet/images/marker-icon-2x.png", "vendor/leaflet/images/marker-shadow.png")
DATA_FILES = ("data/meta.json", "data/region.geojson", "data/offices.json", "data/settlements.json",
              "data/gaps.geojson")
MAX_URL = 2000
_TILE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[^\s\"'<>\\]*\Z")
LANGS = ("fa", "en")


@dataclass(frozen=True)
class PublishReport:
    """What :func:`publish` wrote.

    Attributes
    ----------
    out_dir
        The site's folder.
    files
        Each written file (relative path, ``/``-separated) and its size in bytes.
    offices, settlements
        How many offices and settlements were published.
    gaps
        Gap parts published per licence type.
    sample
        Whether the workspace holds SAMPLE data (and the page says so).
    replaced
        Whether a previous publish in ``out_dir`` was replaced.
    """

    out_dir: Path
    files: dict[str, int]
    offices: int
    settlements: int
    gaps: dict[str, int]
    sample: bool
    replaced: bool = False
    lang_default: str = "fa"
    basemap_url: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def data_bytes(self) -> int:
        """Bytes of the data files together (the layers of the province)."""
        return sum(n for f, n in self.files.items() if f.startswith("data/"))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (``siting publish --json``)."""
        return {"out_dir": str(self.out_dir), "files": self.files, "data_bytes": self.data_bytes,
                "offices": self.offices, "settlements": self.settlements, "gaps": self.gaps,
                "sample": self.sample, "replaced": self.replaced, "lang_default": self.lang_default,
                "basemap_url": self.basemap_url, "notes": self.notes}


def check_basemap_url(url: str | None) -> str | None:
    """A tile URL template (``https://host/{z}/{x}/{y}.png``) or ``None``; anything else is refused.

    >>> check_basemap_url("https://tiles.example.org/{z}/{x}/{y}.png")
    'https://tiles.example.org/{z}/{x}/{y}.png'
    """
    if url is None or not str(url).strip():
        return None
    url = str(url).strip()
    if len(url) > MAX_URL:
        raise InputError(f"--basemap: the URL is {len(url)} characters long; at most {MAX_URL}")
    if not _TILE_URL.match(url):
        raise InputError(f"--basemap {url[:80]!r}: expected an http(s) tile URL template such as "
                         "https://tiles.example.org/{z}/{x}/{y}.png (no spaces or quotes)")
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in url]
    if missing:
        raise InputError(f"--basemap {url[:80]!r}: the template lacks {', '.join(missing)}")
    return url


def _check_out_dir(out: Path) -> bool:
    """Refuse an unusable target; return whether it holds a previous publish."""
    if out.is_symlink():
        raise InputError(f"{out}: is a symbolic link; give the folder itself (nothing was written)")
    if not out.parent.is_dir():
        raise InputError(f"{out}: folder {out.parent} does not exist; create it first (nothing was written)")
    if not out.exists():
        return False
    if not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder (nothing was written)")
    try:
        entries = list(out.iterdir())
    except OSError as exc:
        raise InputError(f"{out}: cannot read the folder ({exc.strerror}); nothing was written") from None
    if not entries:
        return False
    marker = out / MARKER
    try:
        mark = json.loads(marker.read_text(encoding="utf-8")) if marker.is_file() else None
    except (OSError, ValueError):
        mark = None
    if not isinstance(mark, dict) or mark.get("generator") != "siting publish":
        raise InputError(f"{out}: the folder is not empty and is not a previous `siting publish` (no {MARKER}); "
                         "refusing to replace its files: give a new or empty folder (nothing was written)")
    return True


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def _index_html(lang: str, sample: bool, name: str | None) -> bytes:
    html = (SITE_DIR / "index.html").read_text(encoding="utf-8")
    banner = ('<div id="sample-banner" class="sample" role="alert">'
              '<span lang="fa">داده‌های نمونه (ساختگی، غیررسمی): این نقشه برای آزمایش است.</span> '
              '<span lang="en">SAMPLE data (synthetic, not official): this map is for testing.</span></div>'
              if sample else "")
    title = "نقشهٔ دفاتر پیشخوان و ICT روستایی خراسان جنوبی"
    if sample:
        title = f"{title} — SAMPLE"
    html = (html.replace("{{LANG}}", lang).replace("{{DIR}}", "rtl" if lang == "fa" else "ltr")
            .replace("{{TITLE}}", title).replace("{{SAMPLE_BANNER}}", banner))
    return html.encode("utf-8")


def build_files(ws: Workspace, rules: Rules, *, lang_default: str = "fa",
                basemap_url: str | None = None) -> dict[str, bytes]:
    """Every file of the site (relative path → bytes), the marker excepted."""
    files: dict[str, bytes] = {"index.html": _index_html(lang_default, ws.is_sample, ws.meta.get("name"))}
    for rel in STATIC_FILES:
        files[rel] = (SITE_DIR / rel).read_bytes()
    files["data/meta.json"] = _dump(_data.meta_record(ws, rules, lang_default=lang_default, basemap_url=basemap_url))
    files["data/region.geojson"] = _dump(_data.region_features(ws))
    files["data/offices.json"] = _dump(_data.office_records(ws))
    files["data/settlements.json"] = _dump(_data.settlement_records(ws))
    files["data/gaps.geojson"] = _dump(_data.gap_features(ws, rules))
    return files


def _write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def publish(ws: Workspace, out_dir: str | os.PathLike[str], *, rules: Rules, lang_default: str = "fa",
            basemap_url: str | None = None) -> PublishReport:
    """Write the public map of ``ws`` into ``out_dir``; see the module docstring.

    Parameters
    ----------
    ws
        The workspace to publish (its offices, settlements, region, counties and gaps).
    out_dir
        A new folder, an empty one, or one a previous publish wrote (replaced whole).
    rules
        The rules in force: the service radius of each licence type and its labels.
    lang_default
        ``"fa"`` (right-to-left, the default) or ``"en"``: the language the page opens in.
    basemap_url
        An optional tile URL template (``https://host/{z}/{x}/{y}.png``); off by default, so
        the page asks nothing of any other server.

    Returns
    -------
    PublishReport
        The files and their sizes, and what was published.

    Raises
    ------
    InputError
        A bad language or basemap URL, a missing parent folder, or a folder that is not empty and
        not a previous publish. Nothing is written then, and a failure while writing leaves the
        folder as it was.
    """
    if lang_default not in LANGS:
        raise InputError(f"--lang {lang_default!r}: expected fa or en")
    basemap_url = check_basemap_url(basemap_url)
    out = Path(out_dir).absolute()
    replaced = _check_out_dir(out)
    files = build_files(ws, rules, lang_default=lang_default, basemap_url=basemap_url)
    sizes = {rel: len(b) for rel, b in sorted(files.items())}
    gaps: dict[str, int] = {}
    for feat in json.loads(files["data/gaps.geojson"])["features"]:
        t = feat["properties"]["licence_type"]
        gaps[t] = gaps.get(t, 0) + 1
    report = PublishReport(out, sizes, offices=len(json.loads(files["data/offices.json"])),
                           settlements=len(json.loads(files["data/settlements.json"])), gaps=gaps,
                           sample=ws.is_sample, replaced=replaced, lang_default=lang_default,
                           basemap_url=basemap_url)
    if report.data_bytes > DATA_LIMIT_BYTES:
        report.notes.append(f"the data files are {report.data_bytes:,} bytes together, over the "
                            f"{DATA_LIMIT_BYTES:,}-byte aim for one province")
    files[MARKER] = _dump({"generator": "siting publish", "published": datetime.now(UTC).isoformat(timespec="seconds"),
                           "workspace": str(ws.path) if ws.path else None, "sample": ws.is_sample,
                           "files": sizes})
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".publish-tmp", dir=out.parent))
    except OSError as exc:
        raise InputError(f"{out}: cannot write in folder {out.parent} ({exc.strerror}); nothing was written") from None
    old: Path | None = None
    try:
        _write_tree(tmp, files)
        os.chmod(tmp, 0o755)
        if replaced or out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".publish-old", dir=out.parent))
            os.rmdir(old)
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except BaseException:
            if old is not None:
                os.replace(old, out)
                old = None
            raise
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"{out}: writing the site failed ({exc.strerror or exc}); the folder is as it was") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return report


__all__ = ["DATA_LIMIT_BYTES", "MARKER", "PublishReport", "build_files", "check_basemap_url", "publish"]
