"""PDF files, read with pypdf page by page: encrypted files with an empty password are opened,
damaged pages are reported, and files with no text layer are refused as scans."""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

from ingest.errors import LoadError, first_line
from ingest.loaders.common import Loaded, TextBudget
from ingest.types import Segment

# Below this many characters a PDF page is treated as an image with no text layer.
MIN_CHARS_PER_PAGE = 40


class _PdfProblems(logging.Handler):
    """Collects what pypdf logs while a page is read. pypdf reports a damaged page by logging
    and returning no text, so its log is the only way to learn why a page came out empty."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        messages = getattr(self.local, "messages", None)
        if messages is not None:
            messages.append(record.getMessage())

    def capture(self) -> list[str]:
        messages: list[str] = []
        self.local.messages = messages
        return messages


_PDF_PROBLEMS = _PdfProblems()
_pypdf_logger = logging.getLogger("pypdf")
_pypdf_logger.addHandler(_PDF_PROBLEMS)
# Kept out of the application's log: the run report says what matters.
_pypdf_logger.propagate = False


def load_pdf(name: str, raw: bytes, budget: TextBudget) -> Loaded:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    if b"%PDF-" not in raw[:1024]:
        raise LoadError(
            name,
            "not a readable PDF (no %PDF header): the file is damaged or not a PDF",
            "Re-export or download the original again.",
        )
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
    except DependencyError as exc:  # pypdf checks the empty password of an encrypted file on opening
        raise _pdf_locked(name, exc) from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(name, f"the PDF could not be parsed ({exc})", "Re-export the PDF.") from None
    if reader.is_encrypted:
        _unlock_pdf(name, reader)
    try:
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(name, f"the PDF could not be parsed ({exc})", "Re-export the PDF.") from None
    segments: list[Segment] = []
    warnings: list[str] = []
    first_problem = ""
    for number, page in enumerate(pages, start=1):
        problems = _PDF_PROBLEMS.capture()
        try:
            text = page.extract_text() or ""
        except DependencyError as exc:  # the streams of an AES-encrypted file need cryptography
            raise _pdf_locked(name, exc) from None
        except Exception as exc:  # pypdf raises many types on a damaged page; one page must not stop the file
            problems.append(f"{type(exc).__name__}: {exc}")
            text = ""
        if problems and not text.strip():
            warnings.append(f"page {number} could not be read ({problems[0]})")
            first_problem = first_problem or problems[0]
        budget.add(len(text))
        segments.append(Segment(text, page=number))
    chars = sum(len(s.text.strip()) for s in segments)
    if chars < MIN_CHARS_PER_PAGE:
        if reader.is_encrypted and first_problem:
            # Pages of an encrypted file that fail to decode are a decryption failure, not a scan.
            raise _pdf_locked(name, first_problem)
        raise LoadError(
            name,
            f"no text layer: probably a scanned document ({len(pages)} pages, {chars} characters of text)",
            "Run OCR on the file or supply a version with selectable text.",
        )
    if pages and chars / len(pages) < MIN_CHARS_PER_PAGE * 2:
        warnings.append(f"very little text ({chars} characters over {len(pages)} pages): probably scanned")
    title = ""
    try:
        title = str(reader.metadata.title) if reader.metadata and reader.metadata.title else ""
    except Exception:  # damaged info dictionaries are common and the title is optional
        title = ""
    return Loaded(segments, native_title=title, warnings=warnings)


def _unlock_pdf(name: str, reader: Any) -> None:
    """Open an encrypted PDF whose user password is empty (an owner password only restricts
    printing or copying). Raises LoadError when it needs a password or cannot be decrypted."""
    try:
        unlocked = reader.decrypt("")
    except Exception as exc:  # DependencyError, NotImplementedError for unknown handlers, damaged keys
        raise _pdf_locked(name, exc) from None
    if not unlocked:
        raise LoadError(name, "the PDF is encrypted with a password", "Ask the owner for an unprotected copy.")


def _pdf_locked(name: str, cause: BaseException | str) -> LoadError:
    detail = first_line(cause, type(cause).__name__) if isinstance(cause, BaseException) else cause
    return LoadError(
        name,
        f"the PDF is encrypted and cannot be opened ({detail})",
        "Ask the owner for an unprotected copy; if the message names a missing package, "
        "install the hub's requirements.txt again.",
    )
