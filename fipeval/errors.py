"""The exception hierarchy.

Every error fipeval raises for bad input is a ``FipevalError``. Messages follow one
template: what was wrong, where (file, line, column, value), and what to do.
Raw citizen numbers (BSN) never appear in a message: refer to rows by line number.
"""

from __future__ import annotations

import functools


class FipevalError(Exception):
    """Root of every error fipeval raises on purpose.

    ``str(err)`` speaks to a Python caller (``key=...``). Where the remedy is spelled
    differently on the command line (``--key FILE``), ``for_command_line`` attaches that
    wording; the CLI prints ``command_line_message(err)``.
    """

    cli_message: str | None = None

    def for_command_line(self, message: str) -> "FipevalError":
        """Attach the message a command-line user should read instead; return self."""
        self.cli_message = message
        return self


def command_line_message(err: FipevalError) -> str:
    """The error as one line for the command line (its CLI wording where it has one)."""
    return " ".join((err.cli_message or str(err)).split())


class InputError(FipevalError, ValueError):
    """Bad data or arguments passed by the caller."""


class SchemaError(InputError):
    """A table does not match the canonical schema (missing column, wrong dtype, bad category)."""


class LoadError(InputError):
    """A file could not be read or mapped onto the canonical tables."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: str | None = None):
        self.file, self.line, self.column = file, line, column
        where = ", ".join(
            part for part in (
                f"file {file}" if file else "",
                f"line {line}" if line is not None else "",
                f"column `{column}`" if column else "",
            ) if part
        )
        self.where = where
        super().__init__(f"{message} ({where})" if where else message)

    def for_command_line(self, message: str) -> "LoadError":
        return super().for_command_line(f"{message} ({self.where})" if self.where else message)


class UsageError(InputError):
    """A command-line argument is missing, unknown or of the wrong type."""


class PrivacyError(FipevalError):
    """Personal data would leak (for example BSNs without a pseudonymisation key)."""


class DesignError(InputError):
    """The study design does not fit the data (unknown caseworker, empty group, ...)."""


class EstimationError(FipevalError, RuntimeError):
    """A model could not be estimated (no events, singular design, no variation)."""


class ConfigError(InputError):
    """A study file (TOML) has an unknown key or a value of the wrong type."""


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped before converging; the message says what to try."""


class FewClustersWarning(UserWarning):
    """Cluster-robust inference rests on few clusters and may be unreliable."""


def check_option(name: str, value, allowed) -> None:
    """Raise InputError unless ``value`` is one of ``allowed`` (scikit-learn's wording)."""
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise InputError(f"The `{name}` parameter must be one of {{{options}}}. Got {value!r} instead.")


def check_columns(df, columns, *, what: str = "data") -> None:
    """Raise SchemaError naming the first missing column and the ones that exist."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what} has no column `{missing[0]}`"
            + (f" (also missing: {', '.join(missing[1:])})" if len(missing) > 1 else "")
            + f"; available columns: {', '.join(map(str, df.columns))}."
        )


def renamed(**old_to_new: str):
    """Decorator: a call with a keyword's old name (0.x renamed it for one vocabulary across
    the library) raises InputError naming the new one, instead of a bare TypeError.

    Examples
    --------
    >>> @renamed(n_boot="n_draws")
    ... def f(*, n_draws=9): return n_draws
    >>> f(n_boot=99)
    Traceback (most recent call last):
    ...
    fipeval.errors.InputError: f(): `n_boot` is now called `n_draws` (one name for resampling draws in every function); pass n_draws=99.
    """
    def decorate(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            for old, new in old_to_new.items():
                if old in kwargs:
                    raise InputError(f"{fn.__name__}(): `{old}` is now called `{new}` "
                                     f"({RENAMED_WHY.get(new, 'one vocabulary')}); pass "
                                     f"{new}={kwargs[old]!r}.")
            return fn(*args, **kwargs)
        return call
    return decorate


def caller_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` that points at the first frame outside
    fipeval (the user's call), however many fipeval wrappers lie in between."""
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def columns_by_name(fn):
    """Decorator for functions ``f(data, *, column=..., ...)``: columns are passed by name
    (0.x; one vocabulary), and a call that still passes them by position raises an
    InputError that spells out the call by name, instead of a bare TypeError.

    Examples
    --------
    >>> @columns_by_name
    ... def f(data, *, duration, event): return duration
    >>> f(None, "exit", "event")
    Traceback (most recent call last):
    ...
    fipeval.errors.InputError: f() takes the column names as keywords: f(data, duration='exit', event='event').
    """
    import inspect

    names = [p.name for p in inspect.signature(fn).parameters.values()
             if p.kind == p.KEYWORD_ONLY]

    @functools.wraps(fn)
    def call(data, *args, **kwargs):
        if args:
            spelled = ", ".join(f"{n}={a!r}" for n, a in zip(names, args))
            raise InputError(f"{fn.__name__}() takes the column names as keywords: "
                             f"{fn.__name__}(data, {spelled}).")
        return fn(data, **kwargs)
    return call


RENAMED_WHY = {"n_draws": "one name for resampling draws in every function",
               "treatment": "one name for the FIP indicator in every function",
               "by": "one name for splitting descriptive results by a column",
               "treated_value": "`treated` named a value here but a column elsewhere",
               "fip_caseworkers": "the number of FIP caseworkers, not a column",
               "value": "the value of `by` whose curves to draw"}
