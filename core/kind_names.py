"""What people read for a result's :class:`core.records.Kind`: a short name per kind, keyed by
the slug the journal and ``--json`` store (``"crashed-worker"`` -> "worker crashed").

Display only: the journal, exports and JSON keep the slug. :func:`kind_name` translates through
core's catalogue (the window's History and anything else that shows a stored kind).
"""

from __future__ import annotations

from core.i18n import N_, _
from core.records import Kind

NAMES: dict[str, str] = {
    Kind.NONE.slug: N_("no remark"),
    Kind.NOT_REGULAR.slug: N_("not a regular file"),
    Kind.OUTPUT_EXISTS.slug: N_("output exists"),
    Kind.IS_OUTPUT.slug: N_("the job's own output"),
    Kind.NOT_SUPPORTED.slug: N_("not handled by this operation"),
    Kind.ALREADY_IN_TARGET.slug: N_("nothing to convert"),
    Kind.MISSING.slug: N_("file missing"),
    Kind.UNREADABLE.slug: N_("cannot be read"),
    Kind.CHANGED.slug: N_("changed while read"),
    Kind.MISMATCH.slug: N_("checksum mismatch"),
    Kind.NOT_AN_IMAGE.slug: N_("not an image"),
    Kind.DAMAGED.slug: N_("damaged data"),
    Kind.TOO_LARGE.slug: N_("over a size limit"),
    Kind.OUTPUT_FAILED.slug: N_("output not written"),
    Kind.REFUSED.slug: N_("refused"),
    Kind.IMPROPER_LINE.slug: N_("improper manifest line"),
    Kind.UNLISTABLE.slug: N_("folder cannot be listed"),
    Kind.LOOP.slug: N_("symbolic link loop"),
    Kind.NOT_TEXT.slug: N_("not text"),
    Kind.UNENCODABLE.slug: N_("cannot be encoded"),
    Kind.CRASHED_WORKER.slug: N_("worker crashed"),
    Kind.TIMED_OUT.slug: N_("timed out"),
    Kind.HUNG.slug: N_("hung"),
    Kind.GAVE_UP.slug: N_("given up"),
    Kind.CANNOT_START.slug: N_("workers cannot start"),
    Kind.INTERNAL.slug: N_("internal error"),
    Kind.OTHER.slug: N_("other error"),
    Kind.CANCELLED_BEFORE_START.slug: N_("cancelled before it started"),
    Kind.CANCELLED_RUNNING.slug: N_("cancelled while running"),
    Kind.GREW.slug: N_("grew when compressed"),
    Kind.RENAMED.slug: N_("output renamed"),
    Kind.OVERWROTE.slug: N_("existing file overwritten"),
    Kind.LOW_CONFIDENCE.slug: N_("encoding uncertain"),
    Kind.REPLACED.slug: N_("bytes replaced"),
}


def kind_name(slug: str) -> str:
    """The name of the kind stored as ``slug``, in the language in use; ``""`` for none, and
    the slug itself for one this version does not know (a newer Parabatch wrote it)."""
    if not slug:
        return ""
    text = NAMES.get(slug)
    return _(text) if text is not None else slug
