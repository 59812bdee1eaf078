"""Checks on uploaded documents, and the files folder they are kept in.

:func:`check_document` looks at the bytes, never at the file name: the type
comes from the first bytes (``%PDF-``, JPEG ``FF D8 FF``, PNG signature),
then

* every file: not empty, not larger than the limit, of a format the document
  kind accepts (a birth certificate must be one PDF);
* PDF: complete (``%%EOF``) with nothing after the last ``%%EOF`` (no
  PDF+ZIP polyglot), no zlib stream inflating past
  :data:`MAX_INFLATED_STREAM` (measured in bounded chunks before parsing),
  parsed by ``pypdf`` in strict mode, not password-protected, no active
  content (JavaScript, launch actions, links and go-to actions leaving the
  document: ``/URI``, ``/GoToR``, ``/GoToE``; embedded files, automatic
  actions; found by walking every reachable object), a page count within
  the kind's bounds,
  exactly one scanned image per page where the guide says "one page per PDF
  page", and scans of readable resolution (pixels per inch of the page);
* images: decoded completely by Pillow, not larger than the pixel limit,
  not smaller than the kind's short-side minimum, not blank; then
  re-encoded (:func:`reencode_image`): the stored file holds the pixels
  only, nothing after the image data and no metadata.

PDFs are refused, never rewritten. The uploaded name is kept for display only
(:func:`display_name`).

Every problem is collected and reported at once, in Persian and English, in
words an applicant understands.

:class:`FileStore` keeps accepted files outside any served folder, under a
random UUID (never a name built from the upload), written atomically, with
their SHA-256 recorded in the database and checked again on every read.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from ..fmt import number
from ..io.files import write_private
from .errors import DocumentRejected, NotFound
from .workflow import DocumentKind, Limits

DEFAULT_FILES_DIR = Path("data") / "uploads"  # relative to the working directory
MEDIA_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
FORMAT_LABELS = {"pdf": ("PDF", "PDF"), "jpeg": ("تصویر JPEG", "JPEG image"), "png": ("تصویر PNG", "PNG image")}
_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA", "/AA"}
# actions refused in any PDF: scripts, launching programs, forms, and links that leave the document
# (web links, go-to another file, possibly on a network share, go-to an embedded file)
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/Rendition", "/URI", "/GoToR",
                   "/GoToE"}
_MAX_PDF_OBJECTS = 200_000
#: No stream of a PDF may inflate past this many bytes, and all of them together past twice that
#: (measured by inflating in bounded chunks, before the file is parsed: a bomb never reaches memory).
MAX_INFLATED_STREAM = 96 * 1024 * 1024
MAX_INFLATED_TOTAL = 2 * MAX_INFLATED_STREAM
_INFLATE_CHUNK = 1024 * 1024
_STREAM_START = re.compile(rb"stream\r?\n")
#: JPEG quality of re-encoded images (the stored file is the re-encoded one).
JPEG_QUALITY = 92


@dataclass(frozen=True)
class Problem:
    """One reason a file was refused."""

    code: str
    message_fa: str
    message_en: str


@dataclass(frozen=True)
class DocumentCheck:
    """What :func:`check_document` found: the file's facts and its problems (empty when accepted)."""

    kind: str
    format: str | None
    media_type: str | None
    size: int
    sha256: str
    pages: int | None
    width: int | None
    height: int | None
    problems: tuple[Problem, ...]
    #: the bytes to store: an image re-encoded (nothing rides after the image data, no metadata),
    #: a PDF as sent (PDFs are refused, never rewritten); ``size`` and ``sha256`` describe these bytes
    content: bytes = b""

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self, filename: str) -> None:
        """Raise :class:`DocumentRejected` listing every problem, naming the file and document."""
        if self.ok:
            return
        shown = display_name(filename)
        raise DocumentRejected.collect(
            f"{shown} was not accepted as {self.kind}", f"فایل {shown} پذیرفته نشد",
            [(p.code, p.message_en, p.message_fa) for p in self.problems])


def sniff_format(content: bytes) -> str | None:
    """'pdf', 'jpeg' or 'png' from the first bytes; ``None`` for anything else."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def _mb(n: float, lang: str) -> str:
    return f"{number(n / 1048576, lang, decimals=1)} {'مگابایت' if lang == 'fa' else 'MB'}"


def check_document(content: bytes, kind: DocumentKind, limits: Limits) -> DocumentCheck:
    """Check an uploaded file for ``kind`` (see the module docstring); never raises on bad files.

    Parameters
    ----------
    content
        The uploaded bytes.
    kind
        The document kind from the workflow file (formats, pages, pixels).
    limits
        Size, pixel and scan-resolution limits from the workflow file.

    Returns
    -------
    DocumentCheck
        ``ok`` when the file is accepted; otherwise ``problems`` says why.
    """
    size = len(content)
    digest = hashlib.sha256(content).hexdigest()
    problems: list[Problem] = []
    fmt_ = sniff_format(content)
    pages = width = height = None
    if size == 0:
        problems.append(Problem("empty", "فایل خالی است.", "The file is empty."))
    elif size > limits.max_bytes:
        problems.append(Problem(
            "too_large",
            f"حجم فایل {_mb(size, 'fa')} است؛ بیشترین حجم مجاز {_mb(limits.max_bytes, 'fa')} است.",
            f"The file is {_mb(size, 'en')}; the largest allowed is {_mb(limits.max_bytes, 'en')}."))
    allowed_fa = "، ".join(FORMAT_LABELS[f][0] for f in kind.formats)
    allowed_en = ", ".join(FORMAT_LABELS[f][1] for f in kind.formats)
    if size and fmt_ is None:
        problems.append(Problem(
            "unknown_type",
            f"نوع فایل شناخته نشد (نام فایل مهم نیست، محتوای آن بررسی می‌شود)؛ فایل باید {allowed_fa} باشد.",
            f"The file is not a recognised type (its content is checked, not its name); send a {allowed_en}."))
    elif fmt_ is not None and fmt_ not in kind.formats:
        problems.append(Problem(
            "wrong_type",
            f"این مدرک باید {allowed_fa} باشد؛ فایل ارسالی {FORMAT_LABELS[fmt_][0]} است.",
            f"This document must be a {allowed_en}; the file sent is a {FORMAT_LABELS[fmt_][1]}."))
    stored = content
    if fmt_ == "pdf" and size <= limits.max_bytes:
        pages = _check_pdf(content, kind, limits, problems)
    elif fmt_ in ("jpeg", "png") and size <= limits.max_bytes:
        width, height = _check_image(content, fmt_, kind, limits, problems)
        if not problems:
            try:
                stored, width, height = reencode_image(content, fmt_)
            except (OSError, ValueError, Image.DecompressionBombError):
                problems.append(Problem("image_damaged", "تصویر خراب است و باز نمی‌شود؛ دوباره اسکن کنید.",
                                        "The image is damaged and cannot be opened; scan it again."))
            size, digest = len(stored), hashlib.sha256(stored).hexdigest()
    return DocumentCheck(kind.id, fmt_, MEDIA_TYPES.get(fmt_ or ""), size, digest, pages, width, height,
                         tuple(problems), stored)


def reencode_image(content: bytes, fmt_: str) -> tuple[bytes, int, int]:
    """The image decoded and encoded again in the same format: only the pixels survive (no trailing
    data such as an appended ZIP or HTML, no metadata); EXIF orientation is applied first.

    Returns the new bytes, width and height.
    """
    with Image.open(io.BytesIO(content)) as opened:
        opened.load()
        img: Image.Image = ImageOps.exif_transpose(opened)
        img.info = {}  # no comment, EXIF, XMP or ICC chunk is written back
        out = io.BytesIO()
        if fmt_ == "jpeg":
            if img.mode not in ("L", "RGB"):
                img = img.convert("RGB")
            img.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            if img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                img = img.convert("RGBA" if "A" in img.getbands() else "RGB")
            img.save(out, format="PNG", optimize=True)
        return out.getvalue(), img.width, img.height


def display_name(filename: object, limit: int = 255) -> str:
    """The uploaded file's name as shown to people (never used as a path): the last part after
    any ``/`` or ``\\``, without control or formatting characters (NUL, newlines, bidi overrides),
    spaces collapsed, at most ``limit`` characters; ``file`` when nothing is left. Still untrusted
    text: escape it wherever it is shown as markup."""
    text = unicodedata.normalize("NFC", str(filename or ""))
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(" " if ch.isspace() else ch for ch in text if unicodedata.category(ch)[0] != "C" or ch.isspace())
    text = " ".join(text.split()).strip(" .")
    return text[:limit] or "file"


def _check_pdf(content: bytes, kind: DocumentKind, limits: Limits, problems: list[Problem]) -> int | None:
    if b"%%EOF" not in content:
        problems.append(Problem("pdf_truncated", "فایل PDF ناقص است (بارگذاری کامل نشده است). دوباره ارسال کنید.",
                                "The PDF is incomplete (the upload did not finish); send it again."))
        return None
    if content[content.rindex(b"%%EOF") + 5:].strip(b" \t\r\n\x00\x0c"):
        problems.append(Problem(
            "pdf_trailing_data", "پس از پایان فایل PDF دادهٔ دیگری چسبانده شده است؛ فقط خود PDF را ارسال کنید.",
            "Other data is appended after the end of the PDF; send the PDF alone."))
        return None
    inflated = _inflated_too_far(content)
    if inflated:
        problems.append(Problem(
            "pdf_decompression_bomb",
            f"یک جریان دادهٔ این PDF پس از بازشدن بیش از {_mb(inflated, 'fa')} می‌شود؛ فایل پذیرفته نیست.",
            f"A stream of this PDF inflates past {_mb(inflated, 'en')}; the file is refused."))
        return None
    try:
        reader = PdfReader(io.BytesIO(content), strict=True)
        if reader.is_encrypted:
            problems.append(Problem("pdf_encrypted", "فایل PDF رمز دارد؛ نسخهٔ بدون رمز را ارسال کنید.",
                                    "The PDF is password-protected; send a copy without a password."))
            return None
        active = _active_content(reader)
        n = len(reader.pages)
        page_images = [_page_images(page) for page in reader.pages]
        boxes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        problems.append(Problem("pdf_damaged", "فایل PDF خراب است و باز نمی‌شود؛ آن را دوباره بسازید.",
                                "The PDF is damaged and cannot be opened; create it again."))
        return None
    if active:
        problems.append(Problem(
            "pdf_active_content",
            "فایل PDF محتوای اجرایی دارد (" + "، ".join(sorted(active)) + ")؛ فقط تصویر اسکن‌شدهٔ مدرک را ارسال کنید.",
            "The PDF contains active content (" + ", ".join(sorted(active)) + "); send only the scanned document."))
    if n < kind.min_pages:
        problems.append(Problem(
            "pdf_too_few_pages",
            f"فایل {number(n)} صفحه دارد؛ این مدرک دست‌کم {number(kind.min_pages)} صفحه دارد (همهٔ صفحات را اسکن کنید).",
            f"The file has {n} page(s); this document has at least {kind.min_pages} (scan every page)."))
    if kind.max_pages is not None and n > kind.max_pages:
        problems.append(Problem(
            "pdf_too_many_pages",
            f"فایل {number(n)} صفحه دارد؛ برای این مدرک بیش از {number(kind.max_pages)} صفحه پذیرفته نیست.",
            f"The file has {n} pages; at most {kind.max_pages} are accepted for this document."))
    if kind.one_image_per_page:
        empty = [i + 1 for i, imgs in enumerate(page_images) if len(imgs) == 0]
        crowded = [i + 1 for i, imgs in enumerate(page_images) if len(imgs) > 1]
        if empty:
            problems.append(Problem(
                "pdf_page_without_scan",
                f"صفحهٔ {_pages_fa(empty)} تصویر اسکن‌شده ندارد؛ در هر صفحهٔ PDF تصویر یک صفحه از مدرک قرار دهید.",
                f"Page {_pages_en(empty)} has no scanned image; put the image of one document page on each PDF page."))
        if crowded:
            problems.append(Problem(
                "pdf_several_scans_per_page",
                f"صفحهٔ {_pages_fa(crowded)} بیش از یک تصویر دارد؛ در هر صفحهٔ PDF فقط تصویر یک صفحه از مدرک باشد.",
                f"Page {_pages_en(crowded)} holds more than one image; put exactly one document page on each PDF page."))
    blurry = []
    for i, (imgs, (pw, ph)) in enumerate(zip(page_images, boxes, strict=True)):
        if not imgs or pw <= 0 or ph <= 0:
            continue
        w, h = max(imgs, key=lambda wh: wh[0] * wh[1])
        dpi = max(w / (pw / 72.0), h / (ph / 72.0))
        if dpi < limits.min_scan_dpi:
            blurry.append((i + 1, dpi))
    if blurry:
        pages_ = [p for p, _ in blurry]
        worst = min(d for _, d in blurry)
        problems.append(Problem(
            "pdf_low_resolution",
            f"کیفیت اسکن صفحهٔ {_pages_fa(pages_)} پایین است (حدود {number(worst)} نقطه در اینچ)؛ "
            f"دست‌کم {number(limits.min_scan_dpi)} نقطه در اینچ لازم است تا خوانا باشد.",
            f"Page {_pages_en(pages_)} is scanned at about {worst:.0f} dpi; at least "
            f"{limits.min_scan_dpi:.0f} dpi is needed to be readable."))
    return n


def _inflated_too_far(content: bytes) -> int:
    """0 if every zlib stream of the PDF inflates within the limits, else the limit passed.

    Every ``stream`` keyword is tried (reachable or not, whatever its ``/Length`` says) with a
    streaming decompressor whose output is capped per call, so memory stays at one chunk.
    """
    total = 0
    for match in _STREAM_START.finditer(content):
        d = zlib.decompressobj()
        data = memoryview(content)[match.end():]
        produced = 0
        try:
            chunk = d.decompress(data, _INFLATE_CHUNK)
            while chunk:
                produced += len(chunk)
                if produced > MAX_INFLATED_STREAM:
                    return MAX_INFLATED_STREAM
                if total + produced > MAX_INFLATED_TOTAL:
                    return MAX_INFLATED_TOTAL
                if d.eof:
                    break
                chunk = d.decompress(d.unconsumed_tail, _INFLATE_CHUNK)
        except zlib.error:
            pass  # not a zlib stream (an image, or damaged: pypdf judges it)
        total += produced
    return 0


def _pages_fa(pages: list[int]) -> str:
    return "، ".join(number(p) for p in pages[:10]) + ("، ..." if len(pages) > 10 else "")


def _pages_en(pages: list[int]) -> str:
    return ", ".join(str(p) for p in pages[:10]) + (", ..." if len(pages) > 10 else "")


def _page_images(page: DictionaryObject) -> list[tuple[int, int]]:
    """(width, height) in pixels of the images a page draws (one level of form XObjects)."""
    out: list[tuple[int, int]] = []

    def scan(resources: object, depth: int) -> None:
        res = resources.get_object() if isinstance(resources, IndirectObject) else resources
        if not isinstance(res, DictionaryObject):
            return
        xobjects = res.get("/XObject")
        xobjects = xobjects.get_object() if isinstance(xobjects, IndirectObject) else xobjects
        if not isinstance(xobjects, DictionaryObject):
            return
        for ref in xobjects.values():
            xo = ref.get_object()
            if not isinstance(xo, DictionaryObject):
                continue
            sub = xo.get("/Subtype")
            if sub == "/Image":
                out.append((int(xo.get("/Width", 0)), int(xo.get("/Height", 0))))
            elif sub == "/Form" and depth < 2:
                scan(xo.get("/Resources"), depth + 1)

    scan(page.get("/Resources"), 0)
    return out


def _active_content(reader: PdfReader) -> set[str]:
    """Names of active content found by walking every object reachable from the trailer.

    The walk sees objects kept in compressed object streams too. (A scan of the
    raw bytes would not, and gives false alarms inside binary image streams.)
    """
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > _MAX_PDF_OBJECTS:
            found.add("too many objects")
            break
        if isinstance(obj, DictionaryObject):
            for k, v in obj.items():
                if k in _ACTIVE_KEYS:
                    found.add(k.lstrip("/"))
                if k == "/S" and isinstance(v, NameObject) and v in _ACTIVE_ACTIONS:
                    found.add(v.lstrip("/"))
                if k == "/OpenAction":
                    target = v.get_object() if isinstance(v, IndirectObject) else v
                    if isinstance(target, DictionaryObject):
                        found.add("OpenAction")
                if k == "/Parent":
                    continue  # reached from the other side; saves walking page trees twice
                stack.append(v)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def _check_image(content: bytes, fmt_: str, kind: DocumentKind, limits: Limits,
                 problems: list[Problem]) -> tuple[int | None, int | None]:
    damaged = Problem("image_damaged", "تصویر خراب است و باز نمی‌شود؛ دوباره اسکن کنید.",
                      "The image is damaged and cannot be opened; scan it again.")
    try:
        with Image.open(io.BytesIO(content)) as img:
            w, h = img.size
            if w * h > limits.max_pixels:
                problems.append(Problem(
                    "image_too_many_pixels",
                    f"تصویر {number(w)}×{number(h)} نقطه است و بیش از اندازهٔ مجاز بزرگ است؛ آن را کوچک‌تر ذخیره کنید.",
                    f"The image is {w}×{h} pixels, larger than allowed; save it smaller."))
                return w, h
            img.verify()
        with Image.open(io.BytesIO(content)) as img:
            img.load()
            decoded = (img.format or "").lower()
            small = img.convert("L")
            small.thumbnail((512, 512))
            spread = ImageStat.Stat(small).stddev[0]
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        problems.append(damaged)
        return None, None
    if decoded != fmt_:
        problems.append(damaged)
        return w, h
    if kind.min_side_px is not None and min(w, h) < kind.min_side_px:
        problems.append(Problem(
            "image_low_resolution",
            f"تصویر {number(w)}×{number(h)} نقطه است و خوانا نیست؛ ضلع کوچک تصویر دست‌کم {number(kind.min_side_px)} نقطه باشد.",
            f"The image is {w}×{h} pixels, too small to read; the short side must be at least {kind.min_side_px} pixels."))
    if spread < 2.0:
        problems.append(Problem("image_blank", "تصویر خالی است (یک رنگ)؛ مدرک را دوباره اسکن کنید.",
                                "The image is blank (a single colour); scan the document again."))
    return w, h


class FileStore:
    """Accepted files, kept outside any served folder, named by UUID.

    Parameters
    ----------
    root
        The folder; created with owner-only permissions if missing.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, stored_name: str) -> Path:
        try:
            u = uuid.UUID(stored_name)
        except ValueError:
            raise NotFound(f"no stored file {stored_name!r}", f"فایل {stored_name!r} وجود ندارد") from None
        return self.root / u.hex[:2] / str(u)

    def put(self, content: bytes) -> str:
        """Write ``content`` atomically under a new UUID and return that name."""
        name = str(uuid.uuid4())
        path = self._path(name)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(path, content, sync=True)
        return name

    def get(self, stored_name: str, sha256: str) -> bytes:
        """The bytes of a stored file; :class:`NotFound` if missing or changed since it was stored."""
        path = self._path(stored_name)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"the stored file {stored_name} is missing",
                           f"فایل ذخیره‌شدهٔ {stored_name} پیدا نشد") from None
        if hashlib.sha256(content).hexdigest() != sha256:
            raise NotFound(f"the stored file {stored_name} has changed since it was uploaded",
                           f"فایل ذخیره‌شدهٔ {stored_name} پس از بارگذاری تغییر کرده است")
        return content

    def remove(self, stored_name: str) -> None:
        self._path(stored_name).unlink(missing_ok=True)

    def names(self) -> set[str]:
        """Names of every stored file (for finding files no database row refers to)."""
        if not self.root.exists():
            return set()
        return {p.name for p in self.root.glob("*/*") if p.is_file() and not p.name.endswith(".part")}


__all__ = [
    "DEFAULT_FILES_DIR",
    "MEDIA_TYPES",
    "DocumentCheck",
    "FileStore",
    "Problem",
    "check_document",
    "sniff_format",
]
