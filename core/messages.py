"""The table of the English messages core makes for one file or one job, as templates.

A message is made with :func:`core.i18n.english` (``english(WORKER_CRASHED, signal=9,
name="SIGKILL")``) and stored as it is in results, the journal, ``--json`` and CSV: English,
whatever the language. :func:`core.i18n.message_for_people` matches a stored message against
these templates to show it translated. A field whose value is itself a message (``{reason}``,
``{advice}``, a count ``{files}``...) is translated too; the fields in ``RAW`` are not (paths,
numbers, signal names). Imported by worker processes: nothing but the standard library here.
"""

from __future__ import annotations

from core.i18n import N_, N_plural, register

# Fields whose values are shown as they are (never looked up as messages).
RAW = frozenset(
    {
        *("path", "output", "folder", "signal", "name", "code", "seconds", "n", "written"),
        *("manifest", "ok", "line", "real", "expected", "actual", "job", "format", "size"),
        *("at", "ratio", "codec", "char", "code", "bytes", "mib", "confidence", "newline"),
        *("ext", "pixels", "limit", "width", "height", "frames", "mode", "format"),
        *("aside", "ref", "version", "known", "choices", "low", "high"),
        *("length", "tag", "lines", "pattern", "field", "percent"),
    }
)

# --- workers (core.scheduler) --------------------------------------------------------------
WORKER_LOST = N_("worker lost")
# Listed before WORKER_CRASHED: the more specific template is tried first.
WORKER_CRASHED_BUS = N_(
    "worker crashed (signal {signal}: {name}, the file may have changed meanwhile)"
)
WORKER_CRASHED = N_("worker crashed (signal {signal}: {name})")
WORKER_EXITED = N_("worker exited unexpectedly with code {code}")
UNKNOWN_SIGNAL = N_("unknown signal")
GAVE_UP = N_("gave up: {reason} repeatedly")
CRASHED_TIMES = N_(
    "{reason} while processing this file, {n} times; "
    "the file may be corrupt or trigger a bug in a library"
)
TIMED_OUT = N_(
    "timed out: still running after {seconds} s (the per-file time limit); the worker was "
    "stopped. Raise the limit if the file is just big or slow"
)
HUNG = N_(
    "hung: no progress for {seconds} s, so its worker was stopped (it was suspended, or stuck "
    "in a system call or a library); the other files went on"
)
CHANGED_WHILE_READ = N_(
    "changed while being read (its size or modification time moved): the result would match "
    "neither the old nor the new contents; run it again once nothing writes to the file"
)

POOL_SHUT_DOWN = N_("the pool was shut down")
KILLED_AT_START = N_(
    "worker processes were killed as they started ({exit}), {n} times in a row: something on "
    "this system is ending them (out of memory?)"
)
STOP_AT_START = N_(
    "the worker processes stop as soon as they start ({exit}); the installation may be "
    "broken: see the log, or reinstall Parabatch"
)
DID_NOT_START = N_("did not start in time")
NO_EXIT_CODE = N_("no exit code")
EXIT_SIGNAL_NAMED = N_("signal {signal}: {name}")
EXIT_SIGNAL = N_("signal {signal}")
EXIT_CODE = N_("exit code {code}")

# --- errors while reading or writing (core.errors) -----------------------------------------
THE_DISK = N_("the disk")
DISK_HOLDING = N_("the disk holding {folder}")
NO_SPACE = N_("no space left on {disk}: free some space or choose another output folder")
QUOTA = N_(
    "disk quota exceeded on {disk}: free some of your space, ask for a larger quota or choose "
    "another output folder"
)
READ_ONLY = N_("{disk} is read-only: choose another output folder, or mount the disk writable")
TOO_LARGE_FOR_DISK = N_(
    "the file is too large for the file system of {disk}: choose another output folder on a "
    "disk that allows larger files"
)
NAME_TOO_LONG = N_("the file name is too long for this system (File name too long): {advice}")
ADVICE_SHORTER_OUTPUT = N_("choose a shorter name template or output folder")
ADVICE_SHORTER_SOURCE = N_("rename the file or move it to a folder with a shorter path")
OS_LINK_LOOP = N_(
    "symbolic link loop: a link in the path points back to itself (through other links); "
    "fix or remove the link"
)
TOO_MANY_OPEN = N_(
    "too many files open at once: try fewer workers, or raise the open-file limit (ulimit -n)"
)
OUT_OF_MEMORY = N_("out of memory while processing this file; try fewer workers")
PART_IS_FILE = N_("a part of the path is a file, not a folder: check the path")
BUSY = N_("the file is busy ({reason}): close the program using it and try again")
NO_DEVICE = N_(
    "the device holding the file is not available ({reason}): reconnect the disk or drive and "
    "try again"
)
NETWORK = N_(
    "the network file system did not answer ({reason}): check the connection and try again"
)
IO_ERROR = N_(
    "input/output error ({reason}): the disk or file may be damaged or unavailable; check the "
    "disk and try again"
)
COULD_NOT_WRITE = N_("could not write the output: {reason}")
COULD_NOT_PROCESS = N_("could not process the file: {reason}")
VANISHED = N_("vanished: the file no longer exists (moved or deleted after it was added)")
PERMISSION_READ = N_("permission denied: cannot read the file; check its permissions")
IS_FOLDER = N_("is a folder, not a file")
UNEXPECTED = N_("unexpected error ({name}: {detail}); please report this")
CANNOT_WRITE_OUTPUT = N_("cannot write the output {output}: {what}")
WRITE_PERMISSION = N_(
    "permission denied in the folder {folder}: make it writable or choose another output folder"
)
WRITE_FOLDER_GONE = N_(
    "the folder {folder} disappeared while writing: choose an output folder that exists"
)
WRITE_PART_IS_FILE = N_("a part of {folder} is a file, not a folder: choose another output folder")
WRITE_IS_FOLDER = N_("a folder has that name: choose another name template or output folder")
KIND_FIFO = N_("a named pipe (FIFO)")
KIND_SOCKET = N_("a socket")
KIND_FOLDER = N_("a folder")
KIND_CHAR_DEVICE = N_("a character device")
KIND_BLOCK_DEVICE = N_("a block device")
KIND_SPECIAL = N_("a special file")

# --- finding files (core.discover) ----------------------------------------------------------
BROKEN_LINK = N_("broken symbolic link: its target does not exist")
LINK_LOOP = N_("symbolic link loop: the link points back to itself (through other links)")
FOLDER_SCANNED = N_("symbolic link loop: folder already scanned")
CANNOT_LIST = N_(
    "cannot list this folder ({reason}): its files were not processed; check its permissions"
)
CANNOT_READ_PATH = N_("cannot read this path ({reason}): it was not processed; {advice}")
ADVICE_RENAME_PATH = N_("rename it or move it to a folder with a shorter path")
ADVICE_FOLDER_PERMISSIONS = N_("check the permissions of its folder")
NOT_FOUND = N_("not found: it was moved or deleted")
NOT_REGULAR = N_("skipped: {kind}, not a regular file")
NOT_REGULAR_BARE = N_("{kind}, not a regular file")

# --- checksum manifests (core.operations.checksum, core.cli) --------------------------------
FILES = N_plural("{n} file", "{n} files")
FAILED_FILES = N_plural("{n} failed file", "{n} failed files")
SKIPPED_FILES = N_plural("{n} skipped file", "{n} skipped files")
B3SUM_CANNOT_READ = N_plural(
    "WARNING: b3sum --check cannot read {n} name in this manifest (not UTF-8 or holding a "
    "carriage return): {names}; parabatch-cli verify and other readers of sha256sum-style "
    "manifests can",
    "WARNING: b3sum --check cannot read {n} names in this manifest (not UTF-8 or holding a "
    "carriage return): {names}; parabatch-cli verify and other readers of sha256sum-style "
    "manifests can",
)
MANIFEST_ON_STDOUT = N_("this is the manifest being written (standard output)")
MANIFEST_ITSELF = N_("this is the manifest being written; it is not listed in itself")
MANIFEST_CANCELLED = N_("Manifest not written: the job was cancelled before all files were hashed")
MANIFEST_NOTHING_HASHED = N_("Manifest not written: no file was hashed ({n} failed)")
MANIFEST_WRITTEN = N_("Manifest written: {path} ({files})")
LEFT_OUT = N_("{files} left out of the manifest")
MANIFEST_KEPT = N_(
    "Manifest kept: {path} was not replaced, because {failed} would be missing from it; this "
    "job's manifest ({files}) is in {written}"
)
MANIFEST_CHANGED = N_(
    "{path} changed while this job ran (another program or job wrote it); it was not replaced: "
    "this job's manifest ({files}) is in {written}"
)

# --- verifying (core.operations.verify) -----------------------------------------------------
MISMATCH = N_(
    "checksum does not match the manifest (expected {expected}, got {actual}); the file "
    "changed since the manifest was made, or it is damaged"
)
MISSING = N_("missing: no such file; was it moved or deleted?")
CANNOT_VERIFY = N_("cannot verify: {reason}")
REFUSED_NAME = N_(
    "not read: its name leads outside the manifest's folder, as an absolute or ../ name, and "
    "--inside-only was given; run without --inside-only to check it"
)
REFUSED_LINK = N_(
    "not read: its name leads outside the manifest's folder through a symbolic link (to "
    "{real}), and --inside-only was given; run without --inside-only to check it"
)
IMPROPER_LINE = N_("line {line} of {name} is improperly formatted: {reason}")
IMPROPER_NOTE = N_plural(
    "{n} line of {manifest} is improperly formatted: each gets a failed row and the other "
    "lines are checked (--strict refuses such a manifest)",
    "{n} lines of {manifest} are improperly formatted: each gets a failed row and the other "
    "lines are checked (--strict refuses such a manifest)",
)
GUESSED = N_(
    "The algorithm was guessed from the digest length: {name} ({others} digests are as "
    "long). If every file fails, choose the right one with --algorithm."
)
NO_OTHER = N_("no other")
VERIFIED = N_plural("{ok} of {n} listed file OK", "{ok} of {n} listed files OK")
WARN_MISMATCH = N_plural(
    "WARNING: {n} computed checksum did NOT match", "WARNING: {n} computed checksums did NOT match"
)
WARN_UNREADABLE = N_plural(
    "WARNING: {n} listed file could not be read", "WARNING: {n} listed files could not be read"
)
WARN_IMPROPER = N_plural(
    "WARNING: {n} line is improperly formatted", "WARNING: {n} lines are improperly formatted"
)
REFUSED_COUNT = N_plural(
    "{n} listed entry leads outside the manifest's folder and was not read (--inside-only)",
    "{n} listed entries lead outside the manifest's folder and were not read (--inside-only)",
)
OUTSIDE_COUNT = N_plural(
    "{n} listed entry points outside the manifest's folder (absolute or ../ names); "
    "--inside-only refuses them",
    "{n} listed entries point outside the manifest's folder (absolute or ../ names); "
    "--inside-only refuses them",
)
NOT_CHECKED = N_plural(
    "{n} file was not checked (cancelled)", "{n} files were not checked (cancelled)"
)
UNLISTED_COUNT = N_plural(
    "{n} file under {folder} not listed in the manifest",
    "{n} files under {folder} not listed in the manifest",
)

# --- reading manifests (core.manifest) -----------------------------------------------------
UNKNOWN_ALGORITHM = N_("unknown algorithm {name}; choose one of {choices}")
# Why a line cannot be checked (the {reason} of IMPROPER_LINE), and what else could help.
LINE_TOO_LONG = N_("it is longer than {size} KiB, so it is not a checksum line")
UNKNOWN_TAG = N_("the algorithm {name} is not supported (known: {known})")
NOT_A_CHECKSUM_LINE = N_(
    "it is not a checksum line (expected 'HEX  NAME' or 'SHA256 (NAME) = HEX')"
)
BAD_ESCAPE = N_("its name has a backslash escape other than \\\\, \\n or \\r")
NUL_IN_NAME = N_("its name holds a NUL byte, which no file name can hold")
DIGITS_FIT_NONE = N_("its digest has {n} hex digits, which fits no supported algorithm")
TAGGED_OTHER = N_("it is tagged {tag} but the algorithm {name} was chosen")
DIGITS_CHOSEN = N_(
    "its digest has {n} hex digits, {name} has {length} ({name} was chosen with --algorithm)"
)
DIGITS_BY_NAME = N_(
    "its digest has {n} hex digits, {name} has {length} ({name} is implied by the manifest's name)"
)
DIGITS_BY_TAG = N_(
    "its digest has {n} hex digits, {name} has {length} ({name} is the tag of the manifest's "
    "other lines)"
)
DIGITS_TAGGED = N_("its digest has {n} hex digits, {name} has {length}")
UNDECODABLE_NAME = N_("its file name cannot be decoded on this system")
ADVICE_TAGGED = N_("choose {name} with --algorithm, or leave --algorithm out")
ADVICE_RIGHT_ALGORITHM = N_("choose the right algorithm with --algorithm, or leave it out")
ADVICE_ALGORITHM = N_("choose the algorithm with --algorithm")
# A manifest that cannot be used at all (listed before BAD_LINE*, whose {reason} would take
# the rest of these sentences in).
NO_CHECKABLE_LINE_OR = N_(
    "{bad}. It holds no line that can be checked: fix or remove these lines, or {advice}"
)
NO_CHECKABLE_LINE = N_("{bad}. It holds no line that can be checked: fix or remove these lines")
STRICT_BAD_OR = N_(
    "{bad}. Fix or remove these lines, or {advice} (without --strict, the other lines are "
    "checked and these are reported)"
)
STRICT_BAD = N_(
    "{bad}. Fix or remove these lines (without --strict, the other lines are checked and these "
    "are reported)"
)
BAD_LINES_AT = N_("{path}: line {line}: {reason}; {count} more bad line(s): {lines}")
BAD_LINE_AT = N_("{path}: line {line}: {reason}")
NOT_A_MANIFEST = N_(
    "{path}: none of its first {n} lines is a checksum line; is this a checksum manifest (lines "
    "like 'HEX  NAME' as written by sha256sum)?"
)
TOO_MANY_BAD = N_(
    "{path}: more than {count} of its lines are improperly formatted; is this a checksum "
    "manifest? Fix or remove those lines"
)
NO_CHECKSUM_LINES = N_(
    "{path}: no checksum lines found; is this a checksum manifest (lines like 'HEX  NAME' as "
    "written by sha256sum)?"
)
NO_SUCH_MANIFEST = N_("{path}: no such manifest; check the path and try again")
MANIFEST_IS_FOLDER = N_("{path}: is a folder; choose the checksum file inside it")
MANIFEST_LINK_NOT_REGULAR = N_(
    "{path}: is {kind} (it links to {real}), not a regular file; choose the checksum file itself"
)
MANIFEST_NOT_REGULAR = N_("{path}: is {kind}, not a regular file; choose the checksum file itself")
CANNOT_READ_MANIFEST = N_("{path}: cannot read the manifest ({reason})")

# --- outputs (core.naming, core.operations.writing) ----------------------------------------
WHY_EXISTS = N_("exists")
WHY_SAME_OUTPUT = N_("same output as {name}")
WHY_IS_SOURCE = N_("output is the source file")
NOTE_SKIP = N_("skip: {reason}")
NOTE_FAILED = N_("failed: {reason}")
NOTE_OVERWRITE = N_("overwrite: exists")
NOTE_RENAMED = N_("collision: renamed ({reason})")
NOTE_REFUSED_SOURCE = N_(
    "refused: output would overwrite a source file; choose another folder, name template or "
    "collision policy"
)
OVERWRITES_SOURCE = N_("refused: the output would overwrite the source file")
OUTPUT_DIR_IS_FILE = N_("the output folder {folder} is a file; choose a folder")
OUTPUT_DIR_MISSING = N_("the output folder {folder} does not exist; create it or choose another")
OUTPUT_DIR_BLOCKED = N_(
    "cannot create the output folder {folder}: {path} is a file, not a folder; choose another "
    "output folder"
)
OUTPUT_DIR_READ_ONLY = N_(
    "cannot write into the output folder {folder}: it is on a read-only disk; choose another "
    "output folder"
)
OUTPUT_DIR_IN_READ_ONLY = N_(
    "cannot create the output folder {folder} in {path}: it is on a read-only disk; choose "
    "another output folder"
)
OUTPUT_DIR_DENIED = N_(
    "cannot write into the output folder {folder}: permission denied; choose another output "
    "folder or change its permissions"
)
OUTPUT_DIR_IN_DENIED = N_(
    "cannot create the output folder {folder} in {path}: permission denied; choose another "
    "output folder or change the permissions of {path}"
)
MIRROR_NEEDS_FOLDER = N_("mirroring the folder tree needs an output folder")
# A bad name template ({detail}: Python's own words on a format string, kept as they are).
TEMPLATE_SYNTAX = N_("name template {pattern}: {detail} (write {{{{ and }}}} for braces)")
TEMPLATE_UNKNOWN_FIELD = N_("name template: unknown field {{{field}}}; use {known}")
TEMPLATE_FIELD_SYNTAX = N_("name template: unsupported field syntax in {pattern}")
TEMPLATE_ERROR = N_("name template {pattern}: {detail}")
TEMPLATE_EMPTY = N_("name template: the file name is empty")
TEMPLATE_ABSOLUTE = N_("name template: must be relative to the output folder")
TEMPLATE_CLIMBS = N_("name template: '..' may not climb out of the output folder")
# Made with width="{width}", height="{height}": the sentence names the fields as typed.
TEMPLATE_SIZE_IN_FOLDER = N_("name template: {width} and {height} may only be in the file name")
SIZE_NAME_CLASH = N_(
    "refused: its size-dependent name could replace the source {name}; choose another folder, "
    "name template or collision policy"
)
SIZE_NAMED = N_("name set by the output size; collisions resolved when written")
SIZE_FIELDS_UNKNOWN = N_(
    "the name template {pattern} uses {{width}} or {{height}}, which only image conversion "
    "knows; {operation} cannot fill them in"
)
CANNOT_HANDLE = N_plural(
    "{n} file skipped: {operation} cannot handle them (the per-file reason says why)",
    "{n} files skipped: {operation} cannot handle them (the per-file reason says why)",
)
RENAMED_COUNT = N_plural(
    "{n} output renamed to avoid a collision", "{n} outputs renamed to avoid a collision"
)
OVERWRITTEN_COUNT = N_plural("{n} existing file overwritten", "{n} existing files overwritten")
SKIPPED_TAKEN = N_plural(
    "{n} input skipped: output name taken", "{n} inputs skipped: output name taken"
)
REFUSED_SOURCES = N_plural(
    "{n} input refused: would overwrite a source", "{n} inputs refused: would overwrite a source"
)

# --- resume and retry (core.journal_resume) --------------------------------------------------
OTHER_OPTIONS = N_("job {job} ran with other options: every file is processed again")
CARRIED = N_plural(
    "{n} file finished in job {job} and unchanged since: taken from the journal, not "
    "processed again",
    "{n} files finished in job {job} and unchanged since: taken from the journal, not "
    "processed again",
)
CHANGED_SINCE = N_plural(
    "{n} file changed since job {job}: processed again",
    "{n} files changed since job {job}: processed again",
)
GONE = N_plural(
    "{n} file of job {job} is gone (moved or deleted): {names}",
    "{n} files of job {job} are gone (moved or deleted): {names}",
)
AND_MORE = N_("{names} and {n} more")

# --- compress, decompress (core.operations.compress) ----------------------------------------
NO_OUTPUT_PLANNED = N_("no output was planned for this file")
TRUNCATED_FRAME = N_(
    "truncated {format} data: it ends at byte {size} inside a frame; no output was written"
)
TRUNCATED_STREAM = N_(
    "truncated {format} data: it ends at byte {size} inside a stream; no output was written"
)
CORRUPT = N_(
    "corrupt {format} data at byte {at} (or in the block that starts there); no output was written"
)
NOT_GIVEN_BACK = N_(
    "the output did not give back the source's bytes when read again; the source was kept "
    "(the output may be damaged: check the disk)"
)
SOURCE_GONE = N_("source already gone")
SOURCE_CHANGED = N_("source kept: it changed after it was read")
SOURCE_DELETED = N_("source deleted (its output was verified)")
GREW = N_("grew: compressed data already, or too small to gain")
GREW_COUNT = N_plural(
    "{n} file grew when compressed (compressed data already, or too small to gain); the "
    "outputs were written all the same",
    "{n} files grew when compressed (compressed data already, or too small to gain); the "
    "outputs were written all the same",
)
NOT_COMPRESSED = N_("not zstd, gzip, xz or bzip2 data (its first bytes say so, whatever its name)")
BOMB = N_(
    "stopped: it grew past {ratio}:1 of its size (a probable decompression bomb); no output "
    "was written. Raise the ratio limit if the file is trusted"
)

# --- text encodings (core.operations.encode, encode_detect) --------------------------------
NOT_TEXT = N_("refused: {what}, not text; nothing was written")
THIS_IS = N_("this is {what}")
NUL_NOT_IN = N_("binary data (a NUL byte at byte {at}, which {codec} text never has)")
NUL_NOT_WIDE = N_("binary data (a NUL byte at byte {at}, and not UTF-16 or UTF-32)")
NO_ENCODING_READS = N_("no text encoding reads it (binary data, or text too damaged to read)")
NUL_BYTE = N_("refused: binary data (a NUL byte at byte {at}), not text; nothing was written")
UNENCODABLE = N_(
    "the character {char} (U+{code}, in the text from byte {at} on) has no {codec} form; "
    "choose another output encoding, or choose to replace what cannot be converted; nothing "
    "was written"
)
UNDECODABLE = N_(
    "not valid {codec} at byte {at} ({detail}: {bytes}); {advice}, or choose to replace "
    "undecodable bytes; nothing was written"
)
CHECK_NAMED = N_("check the encoding named ({codec})")
DETECTED_FROM = N_(
    "{codec} was detected from its first {mib} MiB ({confidence}); name its encoding"
)
GARBLED = N_("much of it looks garbled as {codec}")
FITS_AS_WELL = N_("{codec} fits as well and reads it differently")
FEW_NON_ASCII = N_("only {count} non-ASCII bytes to go by")
FIRST_BYTES = N_("only its first {count} bytes read as {codec}")
LOW_CONFIDENCE_NOTE = N_("low confidence: check it ({reason})")
BOM_ADDED = N_("BOM added")
BOM_REMOVED = N_("BOM removed")
LINE_ENDINGS = N_("line endings → {newline}")
UNDECODABLE_REPLACED = N_plural(
    "{n} undecodable byte sequence replaced with U+FFFD",
    "{n} undecodable byte sequences replaced with U+FFFD",
)
UNENCODABLE_REPLACED = N_plural(
    "{n} character with no {codec} form written as ?",
    "{n} characters with no {codec} form written as ?",
)
REPLACEMENTS = N_plural("{n} replacement", "{n} replacements")
REPLACED_FILES = N_plural(
    "{n} file had bytes replaced that did not convert ({count} in all): check it",
    "{n} files had bytes replaced that did not convert ({count} in all): check them",
)
DOUBTFUL = N_plural(
    "{n} file detected with low confidence: check it (the results say why), or name the encoding",
    "{n} files detected with low confidence: check them (the results say why), or name the "
    "encoding",
)
ALREADY_IN = N_plural(
    "{n} file already in {codec}: skipped, not rewritten",
    "{n} files already in {codec}: skipped, not rewritten",
)
BINARY_COUNT = N_plural(
    "{n} file refused: binary data, not text", "{n} files refused: binary data, not text"
)
ALREADY_TARGET = N_("already {codec} ({how}): nothing to change, not rewritten")
ALREADY_CODEC = N_("already {codec} ({how})")
HOW_ASCII = N_("plain ASCII")
HOW_NAMED = N_("as named")
HOW_DETECTED = N_("detected, {percent}")
UNKNOWN_ENCODING = N_("unknown encoding {name} (try utf-8, gb18030, shift_jis, cp1252...)")
NOT_A_TEXT_ENCODING = N_("{name} is not a text encoding")
NEWLINE_CHOICES = N_("line endings must be one of {choices}")
# What a binary file is, by its first bytes (the {what} of THIS_IS).
SIG_PNG = N_("a PNG image")
SIG_JPEG = N_("a JPEG image")
SIG_GIF = N_("a GIF image")
SIG_TIFF = N_("a TIFF image")
SIG_PDF = N_("a PDF document")
SIG_ZIP = N_("a ZIP archive (or a document in one: docx, xlsx, odt, jar...)")
SIG_EMPTY_ZIP = N_("an empty ZIP archive")
SIG_GZIP = N_("gzip data")
SIG_ZSTD = N_("zstd data")
SIG_XZ = N_("xz data")
SIG_BZIP2 = N_("bzip2 data")
SIG_7Z = N_("a 7-Zip archive")
SIG_RAR = N_("a RAR archive")
SIG_ELF = N_("a program (ELF)")
SIG_SQLITE = N_("an SQLite database")
SIG_OLE = N_("an old Office document (OLE)")
SIG_OGG = N_("Ogg media")
SIG_FLAC = N_("FLAC audio")

# --- running a command (core.operations.command) -------------------------------------------
PROGRAM_MISSING = N_("the program {path} does not exist")
PROGRAM_NOT_EXECUTABLE = N_(
    "the program {path} is not executable (chmod +x, or name its interpreter first)"
)
PROGRAM_NOT_ON_PATH = N_(
    "the program {name} was not found on PATH; install it, or give its full path"
)
CANNOT_START = N_("cannot start {path}: {reason}")
COMMAND_TIMED_OUT = N_("timed out after {seconds} s: its processes were stopped")
COMMAND_TIMED_OUT_SAID = N_(
    "timed out after {seconds} s: its processes were stopped; last error output: {output}"
)
COMMAND_KILLED = N_("killed by signal {signal} ({name}): {output}")
COMMAND_KILLED_UNNAMED = N_("killed by signal {signal}: {output}")
COMMAND_EXIT = N_("exit {code}: {output}")
NO_ERROR_OUTPUT = N_("no error output")
NO_FILE_AT_OUT = N_("the command succeeded but wrote no file at {out}")

# --- the job journal (core.journal, core.journal_writer) -----------------------------------
JOURNAL_MOVED_ASIDE = N_(
    "the journal {path} {what}; it was moved to {aside} and a new one was started"
)
JOURNAL_UNUSABLE = N_("the job journal {path} cannot be used: {reason}")
JOURNAL_EMPTY = N_("the journal {path} holds no job yet")
NOT_A_JOB_NUMBER = N_("not a job number: {ref} (see 'jobs list')")
NO_SUCH_JOB = N_("there is no job {job} in the journal (see 'jobs list')")
JOURNAL_NEWER = N_(
    "it was made by a newer Parabatch (schema {version}, this one knows {known}); update "
    "Parabatch or use --journal with another file"
)
JOURNAL_FOREIGN = N_("is not a Parabatch journal (another program's database)")
JOURNAL_DAMAGED = N_("is damaged or not a database")
JOURNAL_LOCKED = N_("another program holds it locked")
JOURNAL_READ_ONLY = N_("{detail} (is the file or its folder read-only?)")
JOURNAL_DISK_FULL = N_("the disk is full")
JOURNAL_NOT_RECORDED = N_(
    "{reason}; this job is not recorded (it runs as usual, but cannot be resumed or listed in "
    "'jobs'); use --journal PATH for another file or --no-journal"
)
DEFAULT_PLACE = N_("the default place")

# --- options given on the command line (ValueError: a usage error) --------------------------
UNKNOWN_FORMAT = N_("unknown format {format}; choose {choices}")
LEVEL_RANGE = N_("the {format} level must be between {low} and {high}")
MIRROR_NEEDS_DIR = N_("--mirror-tree needs --output-dir")
COMMAND_AFTER_DASHES = N_(
    "give the command after '--': parabatch-cli run PATH... -- PROGRAM ARGUMENT... ({} stands "
    "for each file)"
)

# --- images (core.operations.image_ops) -----------------------------------------------------
NOT_AN_IMAGE = N_("not an image, or not a format this operation reads")
NOT_AN_IMAGE_BY_NAME = N_("not an image by its name ({ext}); choose “any file” to try it anyway")
NOT_AN_IMAGE_BY_BYTES = N_("not an image ({ext}): its first bytes are not an image format's")
NOT_AN_IMAGE_BYTES = N_("not an image: its first bytes are not an image format's")
IMAGE_NO_MEMORY = N_("not enough memory to decode this image")
RAISE_LIMIT = N_("raise the limit with --max-pixels (or the Pixel limit in the window)")
IMAGE_BOMB_PIXELS = N_(
    "refused: the image has {pixels} pixels, larger than the limit of {limit} pixels (a "
    "decompression-bomb guard); if you trust this file, {advice}"
)
IMAGE_BOMB = N_(
    "refused: the image is larger than the limit of {limit} pixels (a decompression-bomb "
    "guard); if you trust this file, {advice}"
)
OUTPUT_TOO_BIG = N_(
    "the output would be {width}x{height}, above the limit of {limit} pixels; choose a smaller "
    "size, or {advice}"
)
ANIMATION_TOO_BIG = N_(
    "animation too large: {frames} frames of {width}x{height} exceed the limit of {limit} "
    "pixels; use --frames first or a smaller size, or {advice}"
)
NO_HEIF = N_("HEIC/HEIF image, but HEIF support (pillow-heif) is not installed")
NO_AVIF = N_("this Pillow cannot write AVIF; choose another output format")
CANNOT_ENCODE = N_("cannot encode {format}: {detail}")
CANNOT_CONVERT_MODE = N_("cannot convert colour mode {mode}: {detail}")
TRUNCATED_IMAGE = N_("truncated image: {detail}")
CANNOT_DECODE = N_("cannot decode the image: {detail}")
DAMAGED_IMAGE = N_("damaged or unsupported image ({name}: {detail})")

TEMPLATES = tuple(
    value
    for name, value in list(globals().items())
    if name.isupper() and name != "RAW" and isinstance(value, str | tuple)
)
register(TEMPLATES, raw=RAW)
