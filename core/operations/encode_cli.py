"""Command-line arguments of ``parabatch-cli encode`` and their translation into EncodeOptions.

The shared flags (``-w``, ``--json``, ``--dry-run``, paths) belong to ``core/cli.py``; the
output flags come from :func:`core.operations.writing.add_output_arguments`.
"""

from __future__ import annotations

import argparse

from core.i18n import _
from core.naming import NamingRule
from core.operations.encode import (
    BOMS,
    DEFAULT_TEMPLATE,
    NEWLINES,
    EncodeOptions,
    default_template,
)
from core.operations.encode_detect import canonical
from core.operations.writing import add_output_arguments, naming_from_args


def _encoding(text: str) -> str:
    try:
        canonical(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group(_("encodings"))
    g.add_argument(
        "--from", dest="source", type=_encoding, metavar="ENC",
        help=_("the inputs' encoding (default: detect each file's from its first MiB)"),
    )  # fmt: skip
    g.add_argument(
        "--to", dest="target", type=_encoding, default="utf-8", metavar="ENC",
        help=_("the outputs' encoding (default: %(default)s); utf-16 and utf-32 without -le/-be "
        "are written little-endian with a BOM"),
    )  # fmt: skip
    g.add_argument(
        "--bom", choices=BOMS, default="keep",
        help=_("byte order mark: keep it if the input has one, add or remove it (default: keep)"),
    )  # fmt: skip
    g.add_argument(
        "--newline", choices=NEWLINES, default="keep",
        help=_("line endings: keep them, or make them all LF or CRLF (default: keep)"),
    )  # fmt: skip
    g.add_argument(
        "--replace", action="store_true",
        help=_("write U+FFFD for bytes that do not decode (and ? for characters the target "
        "encoding lacks) instead of failing the file; the summary counts them"),
    )  # fmt: skip
    add_output_arguments(
        parser,
        NamingRule(template=DEFAULT_TEMPLATE),
        example="'{name}_utf8'",
        name_default=_(
            "{beside} beside the input, the tag following --to; {plain} in an --output-dir"
        ).format(beside=f"'{DEFAULT_TEMPLATE}'", plain="'{name}'"),
    )


def options_from_args(args: argparse.Namespace) -> EncodeOptions:
    """Raises ValueError with a sentence for the user (e.g. --bom add with --to gb18030)."""
    if args.name is None:
        args.name = default_template(args.target, args.output_dir)
    return EncodeOptions(
        source=args.source,
        target=args.target,
        bom=args.bom,
        newline=args.newline,
        replace=args.replace,
        naming=naming_from_args(args),
    )
