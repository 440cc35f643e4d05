"""File input and output at the package's boundary.

Writing
-------
:func:`atomic_write_bytes` is the one writer every module uses for
user-visible files: a file is written to a temporary ``.name.*`` file in the
same folder, flushed and fsynced, then renamed over the target with
:func:`os.replace`, and the folder is fsynced; an interrupted write never
leaves a half-written file and never touches an existing one.
:func:`fresh_folder` does the same for a whole folder of outputs: they are
written into a new hidden folder beside the target, a completion marker is
added last, and the folder is swapped into place, so a results folder always
holds one run's complete set. :func:`check_output_target` checks a target
before any work starts (a folder where a file is needed, a path inside a
file, a device such as ``/dev/null``, a folder without write permission).

Reading
-------
:func:`read_input_bytes` reads a user's input file with a size limit and
turns every operating-system failure (missing, a folder, a device or pipe,
no read permission) into an :class:`~gametheory.errors.InputFileError`;
:func:`decode_text` refuses binary files and text that is not UTF-8.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import InputFileError, InvalidArgumentError, OutputPathError

__all__ = ["atomic_write_bytes", "check_output_target", "fresh_folder", "read_input_bytes",
           "decode_text", "COMPLETE_MARKER", "is_complete_run_folder"]

#: Name of the marker :func:`fresh_folder` writes last into a finished folder.
COMPLETE_MARKER = "_complete.json"


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write *data* to *path* atomically (creating the folder if needed).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write_bytes(d / "x.txt", b"hello")
    >>> (d / "x.txt").read_bytes()
    b'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), 0o644)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


# ------------------------------------------------------------------ output targets
def _nearest_existing(p: Path) -> Path:
    anc = p
    while not os.path.lexists(anc):
        if anc.parent == anc:
            break
        anc = anc.parent
    return anc


def _kind_of(p: Path) -> str:
    try:
        mode = os.stat(p).st_mode
    except OSError:
        return "unknown"
    if stat.S_ISDIR(mode):
        return "folder"
    if stat.S_ISREG(mode):
        return "file"
    return "special"


def check_output_target(path: str | Path, *, name: str = "out", kind: str = "folder",
                        overwrite: bool = False, allow_nonempty: bool = False) -> Path:
    """Check that *path* can receive outputs, before any work starts.

    Parameters
    ----------
    path : str or Path
        The target.
    name : str
        How the user named it (``--out``, ``--plot``), used in messages.
    kind : {"folder", "file"}
        What will be written there.
    overwrite : bool
        Whether an existing file, or a non-empty folder, may be replaced.
    allow_nonempty : bool
        Accept a non-empty folder without *overwrite* (the caller has its own
        rules, e.g. a sweep's ``--resume``).

    Returns
    -------
    Path
        The target, with ``~`` expanded.

    Raises
    ------
    OutputPathError
        When the target is a device or other special file (``/dev/null``), a
        file where a folder is needed (or the reverse), lies inside a file,
        sits in a folder without write permission, or exists and *overwrite*
        is false.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "f.txt").write_text("x")
    >>> check_output_target(d / "new" / "out") == d / "new" / "out"
    True
    >>> check_output_target(d / "f.txt" / "out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gametheory.errors.OutputPathError: out=...: lies inside ...f.txt, which is a file...
    """
    if kind not in ("folder", "file"):
        raise InvalidArgumentError("kind", kind, "unknown target kind", "Use 'folder' or 'file'")
    text = os.fspath(path) if isinstance(path, str | os.PathLike) else path
    if not isinstance(text, str) or not text.strip():
        raise OutputPathError(name, path, "is not a path", f"Give a {kind} name")
    p = Path(text).expanduser()
    want = "a folder name" if kind == "folder" else "a file name"
    if os.path.lexists(p):
        what = _kind_of(p)
        if what == "special":
            raise OutputPathError(name, str(p), "is a device or other special file, not a "
                                  f"{kind}", f"Give {want} (outputs are never written to "
                                  "devices such as /dev/null)")
        if what == "unknown":
            raise OutputPathError(name, str(p), "exists but cannot be inspected (a broken "
                                  "link, or no permission)", f"Give {want} you can write")
        if kind == "folder" and what == "file":
            raise OutputPathError(name, str(p), "exists and is a file",
                                  "Give a folder name (the outputs are several files)")
        if kind == "file" and what == "folder":
            raise OutputPathError(name, str(p), "is a folder", "Give a file name, e.g. "
                                  f"{p / 'fit.nc'}")
        if kind == "folder":
            if Path(os.path.realpath(p)) in (Path(os.path.realpath(Path.cwd())),
                                             *Path(os.path.realpath(Path.cwd())).parents):
                raise OutputPathError(name, str(p), "is the current folder or one of its "
                                      "parents", "Give a new folder for the outputs")
            try:
                nonempty = any(p.iterdir())
            except OSError as exc:
                raise OutputPathError(name, str(p), f"cannot be listed ({exc.strerror})",
                                      f"Give {want} you can read and write") from None
            if nonempty and not (overwrite or allow_nonempty):
                raise OutputPathError(name, str(p), "is a folder that is not empty",
                                      "Choose a new folder, or pass --overwrite "
                                      "(overwrite=True) to replace its contents")
            if not os.access(p, os.W_OK | os.X_OK):
                raise OutputPathError(name, str(p), "is a folder without write permission",
                                      "Give a folder you can write")
            if not os.access(p.parent, os.W_OK | os.X_OK):
                raise OutputPathError(name, str(p), f"cannot be replaced: its parent "
                                      f"{p.parent} is not writable",
                                      "Give a folder inside one you can write")
        else:
            if not overwrite:
                raise OutputPathError(name, str(p), "exists", "Choose a new file name, or "
                                      "pass --overwrite (overwrite=True) to replace it")
            if not os.access(p.parent, os.W_OK | os.X_OK):
                raise OutputPathError(name, str(p), f"cannot be replaced: {p.parent} is not "
                                      "writable", "Give a path in a folder you can write")
        return p
    anc = _nearest_existing(p.parent)
    what = _kind_of(anc)
    if what != "folder":
        raise OutputPathError(name, str(p), f"lies inside {anc}, which is a "
                              f"{'file' if what == 'file' else 'special file'}, not a folder",
                              f"Give {want} in a folder")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise OutputPathError(name, str(p), f"cannot be created: {anc} is not writable",
                              f"Give {want} in a folder you can write")
    return p


def is_complete_run_folder(path: str | Path) -> bool:
    """Whether *path* is a folder finished by :func:`fresh_folder` (it has the marker)."""
    return (Path(path) / COMPLETE_MARKER).is_file()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2`` exchange); False if unsupported."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0


def _swap_into_place(new: Path, target: Path) -> None:
    if not os.path.lexists(target):
        os.rename(new, target)
        return
    if _exchange(new, target):          # target now holds the new set, *new* the old one
        shutil.rmtree(new, ignore_errors=True)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rmdir(old)
    os.rename(target, old)
    try:
        os.rename(new, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def fresh_folder(target: str | Path, *, overwrite: bool = False, name: str = "out",
                 meta: dict[str, Any] | None = None) -> Iterator[Path]:
    """Write a set of outputs into a new folder, then swap it into place at *target*.

    Yields a fresh hidden folder beside *target*; when the block ends
    normally, a completion marker (:data:`COMPLETE_MARKER`: the files, the
    time and *meta*) is written into it and it replaces *target* in one
    rename (Linux ``renameat2`` exchange where available). If the block
    raises (or the process is killed), *target* is left as it was and the
    partial folder is removed (or, after a kill, left hidden beside it).

    Raises
    ------
    OutputPathError
        From :func:`check_output_target`, before anything is written: an
        existing non-empty *target* needs ``overwrite=True``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "results"
    >>> with fresh_folder(d) as tmp:
    ...     _ = (tmp / "a.txt").write_text("one")
    >>> sorted(p.name for p in d.iterdir())
    ['_complete.json', 'a.txt']
    """
    target = check_output_target(target, name=name, kind="folder", overwrite=overwrite)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    except OSError as exc:
        raise OutputPathError(name, str(target), f"cannot be created ({exc.strerror or exc})",
                              "Give a folder in a place you can write") from None
    try:
        yield tmp
        files = sorted(str(q.relative_to(tmp)) for q in tmp.rglob("*") if q.is_file())
        record = {"complete": True, "finished": datetime.now(UTC).isoformat(timespec="seconds"),
                  "files": files, **(meta or {})}
        atomic_write_bytes(tmp / COMPLETE_MARKER, json.dumps(record, indent=2,
                                                             default=str).encode())
        os.chmod(tmp, 0o755)
        _swap_into_place(tmp, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# ------------------------------------------------------------------ reading
def read_input_bytes(path: str | Path, *, name: str = "path", max_bytes: int,
                     what: str = "file", error: type[InvalidArgumentError] = InputFileError
                     ) -> bytes:
    """Read at most *max_bytes* from a regular file, or raise the package's error.

    Every failure names the file and says what to do: no such file, a
    folder, a device/pipe/socket (never read, so ``/dev/zero`` cannot hang
    the reader), no read permission, larger than *max_bytes*.

    Examples
    --------
    >>> read_input_bytes("/nonexistent.json", max_bytes=10)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gametheory.errors.InputFileError: path='/nonexistent.json': no such file...
    """
    p = Path(path).expanduser()
    fix = f"Give the path of a {what}"
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise error(name, str(p), "no such file", fix) from None
    except NotADirectoryError:
        raise error(name, str(p), "no such file (a part of the path is a file)", fix) from None
    except PermissionError:
        raise error(name, str(p), "cannot be reached (permission denied)",
                    "Check the permissions of the folders on the path") from None
    except OSError as exc:
        raise error(name, str(p), f"cannot be read ({exc.strerror or exc})", fix) from None
    if stat.S_ISDIR(st.st_mode):
        raise error(name, str(p), "is a folder, not a file", fix)
    if not stat.S_ISREG(st.st_mode):
        raise error(name, str(p), "is a device, pipe or socket, not a regular file", fix)
    if st.st_size > max_bytes:
        raise error(name, str(p), f"is {st.st_size:,} bytes, over the limit of {max_bytes:,}",
                    f"Give a smaller {what}")
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except PermissionError:
        raise error(name, str(p), "cannot be read (permission denied)",
                    "Make the file readable (chmod u+r) or copy it somewhere readable") from None
    except OSError as exc:
        raise error(name, str(p), f"cannot be read ({exc.strerror or exc})", fix) from None
    if len(data) > max_bytes:
        raise error(name, str(p), f"is over the limit of {max_bytes:,} bytes",
                    f"Give a smaller {what}")
    return data


def _line_col(data: bytes, pos: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, pos) + 1
    col = pos - (data.rfind(b"\n", 0, pos) + 1) + 1
    return line, col


def decode_text(data: bytes, *, path: str | Path, name: str = "path", what: str = "file",
                error: type[InvalidArgumentError] = InputFileError) -> str:
    """Decode UTF-8 text (a BOM is allowed); refuse binary data and other encodings.

    Examples
    --------
    >>> decode_text("café".encode(), path="x.yaml")
    'café'
    >>> decode_text("café".encode("latin-1"), path="x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gametheory.errors.InputFileError: path='x.yaml': is not UTF-8 text (byte 0xe9 at line 1, ...
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(name, str(path), f"is a UTF-16 {what}", "Save it as UTF-8")
    if b"\x00" in data:
        pos = data.index(b"\x00")
        line, col = _line_col(data, pos)
        raise error(name, str(path), f"is a binary file, not text (a NUL byte at line {line}, "
                    f"column {col})", f"Give a text {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise error(name, str(path), f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                    f"line {line}, column {col}; Latin-1 or Windows-1252?)",
                    "Save the file as UTF-8") from None
