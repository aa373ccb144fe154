"""Bilingual click: help, usage lines and usage errors in the language of ``--lang``.

Every ``pws`` command takes ``--lang id|en`` (Indonesian by default), and so does ``pws``
itself (``pws --lang en --help``). The language is read from the arguments before click
parses them (:meth:`Command.parse_args`), so ``pws alerts --help --lang en`` is English
too, and kept in the context's ``meta`` (shared by a command and its group).

The pieces, each given a :class:`~layers.text.Text` pair instead of a string:

* :class:`Command` / :class:`Group` — the help text (``texts=``), the usage line, the
  section titles, the help option and the commands list;
* :class:`Option` (through :func:`option`) — the option's help and metavar;
* :class:`Choice`, :class:`IntRange`, :data:`INT`, :data:`FLOAT`, :class:`PathType` —
  click's types whose complaints are said in the language;
* :meth:`Group.main` shows a usage error (``Galat: …`` / ``Error: …``) in the language.
"""

from __future__ import annotations

import inspect
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import click
from click.utils import _make_default_short_help

from layers.text import LANGS, Text

#: where the language lives in ``ctx.meta`` (shared along a chain of contexts)
KEY = "pws.lang"
DEFAULT = "id"

USAGE = Text("Penggunaan:", "Usage:")
OPTIONS = Text("Opsi", "Options")
OPTIONS_METAVAR = Text("[OPSI]", "[OPTIONS]")
COMMANDS = Text("Perintah", "Commands")
SUBCOMMAND_METAVAR = Text("PERINTAH [ARGUMEN]...", "COMMAND [ARGS]...")
HELP = Text("Tampilkan bantuan ini lalu keluar.", "Show this message and exit.")
DEFAULT_LABEL = Text("bawaan", "default")
REQUIRED = Text("wajib", "required")
TRY_HELP = Text("Coba '{command} --help' untuk bantuan.", "Try '{command} --help' for help.")
ERROR = Text("Galat: {message}", "Error: {message}")
ABORTED = Text("Dibatalkan.", "Aborted!")
INVALID_FOR = Text("Nilai tidak valid untuk {hint}: {message}",
                   "Invalid value for {hint}: {message}")  # fmt: skip
INVALID = Text("Nilai tidak valid: {message}", "Invalid value: {message}")
MISSING_OPTION = Text("Opsi {hint} wajib diisi.", "Missing option {hint}.")
MISSING_ARGUMENT = Text("Argumen {hint} wajib diisi.", "Missing argument {hint}.")
NO_SUCH_OPTION = Text("Tidak ada opsi {name!r}.", "No such option {name!r}.")
DID_YOU_MEAN = Text("Mungkin maksudnya: {names}?", "Did you mean {names}?")
NO_SUCH_COMMAND = Text("Tidak ada perintah {name!r}.", "No such command {name!r}.")
NEEDS_VALUE = Text("Opsi {name!r} perlu nilai.", "Option {name!r} requires an argument.")
EXTRA_ARGUMENTS = Text("Argumen berlebih: {args}", "Got unexpected extra arguments: {args}")
MISSING_COMMAND = Text("Perintah belum diberikan.", "Missing command.")
NOT_ONE_OF = Text("{value!r} bukan salah satu dari {choices}.",
                  "{value!r} is not one of {choices}.")  # fmt: skip
NOT_IN_RANGE = Text("{value} di luar rentang {range}.", "{value} is not in the range {range}.")
NOT_INTEGER = Text("{value!r} bukan bilangan bulat.", "{value!r} is not a whole number.")
NOT_NUMBER = Text("{value!r} bukan angka.", "{value!r} is not a number.")
NOT_FOUND = Text("{value!r} tidak ada.", "{value!r} does not exist.")
#: metavars of click's types (an option may give its own)
TYPE_METAVARS = {
    "text": Text("TEKS", "TEXT"),
    "integer": Text("BILANGAN", "INTEGER"),
    "integer range": Text("BILANGAN", "INTEGER"),
    "float": Text("ANGKA", "NUMBER"),
    "path": Text("PATH", "PATH"),
    "file": Text("FILE", "FILE"),
    "directory": Text("FOLDER", "FOLDER"),
}


def lang_in(args: Sequence[str]) -> str | None:
    """The last ``--lang X`` / ``--lang=X`` among ``args`` (None: none, or not a language)."""
    found = None
    for i, arg in enumerate(args):
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value in LANGS:
            found = value
    return found


def current(ctx: click.Context | None = None) -> str:
    """The language of the command being run (``id`` unless ``--lang en`` was given)."""
    ctx = ctx if ctx is not None else click.get_current_context(silent=True)
    if ctx is None:
        return DEFAULT
    value = ctx.meta.get(KEY)
    return value if value in LANGS else DEFAULT


def _resolve_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    if value is not None:
        ctx.meta[KEY] = value
    return current(ctx)


class Option(click.Option):
    """An option whose help (``help=``) and metavar may be :class:`Text` pairs."""

    def __init__(self, *decls: Any, help: Text | str | None = None,
                 metavar: Text | str | None = None, **kwargs: Any) -> None:  # fmt: skip
        self.texts = help if isinstance(help, Text) else None
        self.metavar_texts = metavar if isinstance(metavar, Text) else None
        super().__init__(*decls, help=help.en if isinstance(help, Text) else help,
                         metavar=None if isinstance(metavar, Text) else metavar, **kwargs)

    def make_metavar(self, ctx: click.Context) -> str:
        if self.metavar_texts is not None:
            return self.metavar_texts(current(ctx))
        if self.metavar is None and self.type.get_metavar(param=self, ctx=ctx) is None:
            known = TYPE_METAVARS.get(self.type.name)
            if known is not None:
                return known(current(ctx)) + ("..." if self.nargs != 1 else "")
        return super().make_metavar(ctx)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if self.hidden:
            return None
        lang = current(ctx)
        text = self.texts(lang) if self.texts is not None else (self.help or "")
        extra = self.get_help_extra(ctx)
        items = []
        if "default" in extra:
            shown = self.show_default if isinstance(self.show_default, str) else extra["default"]
            items.append(f"{DEFAULT_LABEL(lang)}: {shown}")
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append(REQUIRED(lang))
        if items:
            joined = "; ".join(items)
            text = f"{text}  [{joined}]" if text else f"[{joined}]"
        return self.get_help_spec(ctx), text


def option(*decls: str, **kwargs: Any) -> Callable[[Any], Any]:
    """``click.option`` with :class:`Option` (``help`` and ``metavar`` may be Text pairs)."""
    return click.option(*decls, cls=Option, **kwargs)


LANG_HELP = Text("Bahasa pesan dan laporan.", "Language of messages and reports.")


def lang_option(expose: bool = True) -> Callable[[Any], Any]:
    """``--lang id|en``: Indonesian unless given here or to ``pws`` itself (``expose``: the
    command gets it as ``lang``)."""
    return option("--lang", type=Choice(LANGS), default=None, show_default=DEFAULT,
                  callback=_resolve_lang, is_eager=True, expose_value=expose,
                  help=LANG_HELP)  # fmt: skip


class _Localized:
    """What :class:`Command` and :class:`Group` share: help, usage and sections in lang."""

    texts: Text | None
    help: str | None
    options_metavar: str | None

    def help_in(self, lang: str) -> str:
        return self.texts(lang) if self.texts is not None else (self.help or "")

    def short_help_in(self, lang: str, limit: int = 45) -> str:
        return _make_default_short_help(self.help_in(lang), limit)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        found = lang_in(args)
        if found is not None:
            ctx.meta[KEY] = found
        return super().parse_args(ctx, args)  # type: ignore[misc]

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)  # type: ignore[misc]
        if self.options_metavar and pieces and pieces[0] == self.options_metavar:
            pieces[0] = OPTIONS_METAVAR(current(ctx))
        return pieces

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces),
                              prefix=f"{USAGE(current(ctx))} ")  # fmt: skip

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = inspect.cleandoc(self.help_in(current(ctx))).partition("\f")[0]
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        found = super().get_help_option(ctx)  # type: ignore[misc]
        if found is not None:
            found.help = HELP(current(ctx))
        return found

    def _format_own_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = [r for p in self.get_params(ctx)  # type: ignore[attr-defined]
                   if not isinstance(p, click.Argument) and (r := p.get_help_record(ctx))]
        if records:
            with formatter.section(OPTIONS(current(ctx))):
                formatter.write_dl(records)


class Command(_Localized, click.Command):
    """A command whose help is a :class:`Text` pair (``texts=``), shown in ``--lang``."""

    def __init__(self, *args: Any, texts: Text | None = None, **kwargs: Any) -> None:
        if texts is not None:
            kwargs["help"] = texts.en
        super().__init__(*args, **kwargs)
        self.texts = texts

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._format_own_options(ctx, formatter)


class Group(_Localized, click.Group):
    """A group of :class:`Command`; its commands list and its usage errors in ``--lang``."""

    command_class = Command
    group_class = type

    def __init__(self, *args: Any, texts: Text | None = None, **kwargs: Any) -> None:
        if texts is not None:
            kwargs["help"] = texts.en
        super().__init__(*args, **kwargs)
        self.texts = texts
        if not any(p.name == "lang" for p in self.params):
            # every group takes --lang too (``pws kader --help --lang en``); the option object
            # comes from the same decorator the commands use
            self.params += lang_option(expose=False)(lambda: None).__click_params__

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        if pieces and pieces[-1] == self.subcommand_metavar:
            pieces[-1] = SUBCOMMAND_METAVAR(current(ctx))
        return pieces

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._format_own_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = current(ctx)
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in commands)
        rows = [(name, cmd.short_help_in(lang, limit) if isinstance(cmd, _Localized)
                 else cmd.get_short_help_str(limit)) for name, cmd in commands]  # fmt: skip
        with formatter.section(COMMANDS(lang)):
            formatter.write_dl(rows)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:  # fmt: skip
        """click's ``main``, with its usage errors shown in the command's language."""
        argv = list(sys.argv[1:] if args is None else args)
        if not standalone_mode:
            return super().main(argv, prog_name, complete_var, False, **extra)
        try:
            result = super().main(argv, prog_name, complete_var, False, **extra)
        except click.exceptions.Abort:
            click.echo(ABORTED(lang_in(argv) or DEFAULT), err=True)
            sys.exit(1)
        except click.ClickException as exc:
            ctx = getattr(exc, "ctx", None)
            show_error(exc, current(ctx) if ctx is not None else lang_in(argv) or DEFAULT)
            sys.exit(exc.exit_code)
        sys.exit(result if isinstance(result, int) and not isinstance(result, bool) else 0)


def message_of(exc: click.ClickException, lang: str) -> str:
    """The text of a click error in ``lang`` (click's own wording for what it does not know)."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        hint = exc.param_hint or exc.param.get_error_hint(ctx)
        is_option = isinstance(exc.param, click.Option)
        return (MISSING_OPTION if is_option else MISSING_ARGUMENT)(lang).format(hint=hint)
    if isinstance(exc, click.BadParameter):
        hint = exc.param_hint
        if hint is None and exc.param is not None:
            hint = exc.param.get_error_hint(ctx)
        if isinstance(hint, list | tuple):
            hint = " / ".join(f"'{h}'" for h in hint)
        if hint is None:
            return INVALID(lang).format(message=exc.message)
        return INVALID_FOR(lang).format(hint=hint, message=exc.message)
    if isinstance(exc, click.NoSuchOption):
        text = NO_SUCH_OPTION(lang).format(name=exc.option_name)
        if exc.possibilities:
            names = ", ".join(sorted(exc.possibilities))
            text += " " + DID_YOU_MEAN(lang).format(names=names)
        return text
    no_such_command = getattr(click.exceptions, "NoSuchCommand", None)
    if no_such_command is not None and isinstance(exc, no_such_command):
        return NO_SUCH_COMMAND(lang).format(name=exc.command_name)  # type: ignore[attr-defined]
    if isinstance(exc, click.BadOptionUsage) and exc.message.endswith("requires an argument."):
        return NEEDS_VALUE(lang).format(name=exc.option_name)
    if exc.message.startswith("Got unexpected extra argument"):
        return EXTRA_ARGUMENTS(lang).format(args=exc.message.partition("(")[2].rstrip(")"))
    if exc.message == "Missing command.":
        return MISSING_COMMAND(lang)
    return exc.format_message()


def show_error(exc: click.ClickException, lang: str) -> None:
    """Write a click error to stderr as click does (usage, hint, ``Error: …``), in ``lang``."""
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        hint = TRY_HELP(lang).format(command=ctx.command_path)
        click.echo(f"{ctx.get_usage()}\n{hint}\n", err=True, color=ctx.color)
    click.echo(ERROR(lang).format(message=message_of(exc, lang)), err=True)


def fail(message: Text, param: click.Parameter | None, ctx: click.Context | None) -> NoReturn:
    """A bad value: click's usage error, its message in the command's language."""
    raise click.BadParameter(message(current(ctx)), ctx=ctx, param=param)


class Choice(click.Choice):
    """``click.Choice``, its complaint in ``--lang``."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:  # fmt: skip
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            choices = ", ".join(repr(c) for c in self.choices)
            fail(NOT_ONE_OF.format(value=value, choices=choices), param, ctx)


class IntRange(click.IntRange):
    """``click.IntRange``, its complaints in ``--lang``."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:  # fmt: skip
        try:
            number = int(value)
        except (TypeError, ValueError):
            fail(NOT_INTEGER.format(value=value), param, ctx)
        try:
            return super().convert(number, param, ctx)
        except click.BadParameter:
            fail(NOT_IN_RANGE.format(value=number, range=self._describe_range()),
                 param, ctx)  # fmt: skip


class _Int(click.types.IntParamType):
    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:  # fmt: skip
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            fail(NOT_INTEGER.format(value=value), param, ctx)


class _Float(click.types.FloatParamType):
    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:  # fmt: skip
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            fail(NOT_NUMBER.format(value=value), param, ctx)


#: whole numbers and numbers, their complaints in ``--lang``
INT = _Int()
FLOAT = _Float()


class PathType(click.Path):
    """``click.Path``; a path that must exist and does not is said in ``--lang``."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:  # fmt: skip
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            if self.exists and not os.path.exists(os.fsdecode(value)):
                fail(NOT_FOUND.format(value=os.fsdecode(value)), param, ctx)
            raise

