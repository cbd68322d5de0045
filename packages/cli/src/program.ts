/**
 * The command tree. Each action imports its command module lazily, and command modules import the
 * heavy engines (MCP SDK, QuickJS, tokenizer) lazily inside their functions, so `--version`,
 * `--help`, `skill list` and `completions` load none of them.
 */
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { CALL_ARGUMENT_RULES } from "./call-help.js";
import type { CommandContext } from "./context.js";

/** Runs a command's body with a context built from the parsed flags; the body returns an exit code. */
export type RunCommand = (
  command: Command,
  body: (context: CommandContext) => Promise<number | undefined>,
) => Promise<void>;

export const SHELLS = ["bash", "zsh", "fish"] as const;
export const SCOPES = ["project", "user"] as const;
export const PROFILES = ["strict", "moderate", "permissive"] as const;
export const PROTOCOLS = ["auto", "legacy", "modern"] as const;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function positiveInteger(what: string, { allowZero = false } = {}): (value: string) => number {
  return (value) => {
    const number = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number) || number < (allowZero ? 0 : 1)) {
      const kind = allowZero ? "a whole number (0 or more)" : "a positive integer";
      // The value is not repeated: usage errors never echo what was typed for a flag.
      throw new InvalidArgumentError(`${what} must be ${kind}.`);
    }
    return number;
  };
}

/** `-e/--env`, `--header`, `--cwd`, `--name` for a server given as a URL or after `--`. */
function withAdHocOptions(command: Command, envFlags = "-e, --env <KEY=VAL>"): Command {
  return command
    .option(envFlags, "environment variable for an ad-hoc stdio server (repeatable)", collect)
    .option("--header <header>", "HTTP header 'Name: value' for a URL server (repeatable)", collect)
    .option("--cwd <dir>", "working directory of an ad-hoc stdio server")
    .option("--name <name>", "name of an ad-hoc server (default: derived from the URL or command)");
}

function scopeOption(): Option {
  return new Option(
    "--scope <scope>",
    "skills directory: project (./.claude/skills) or user (~/.claude/skills)",
  ).choices(SCOPES);
}

/** The `<server>` operand explained, with examples of the command it is shown for. */
function serverHelp(command: string, extra = ""): string {
  return `
<server> is a name from the configuration, an http(s):// URL, or an ad-hoc stdio command after --:
  mcp-cli ${command} everything${extra}
  mcp-cli ${command} http://127.0.0.1:3001/mcp${extra}
  mcp-cli ${command}${extra} -- npx -y @modelcontextprotocol/server-everything`;
}

/** An "Examples:" block for a command's --help. */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join("\n")}`;
}

/** Builds the program. `run` wraps every action (context, exit code, lazy import). */
export function buildProgram(version: string, run: RunCommand): Command {
  const program = new Command("mcp-cli")
    .description(
      "Use MCP servers from code: introspect them, generate typed TypeScript APIs and run agent code in a sandbox",
    )
    .version(version, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .option("--config <file>", "read servers from this configuration file only")
    .option("--skills-dir <dir>", "skills directory (default: $MCP_CLI_SKILLS_DIR or ./.claude/skills)")
    .option("--json", "print exactly one JSON document on stdout")
    .option("--no-color", "never use colour")
    .option("-q, --quiet", "print no progress or status lines")
    .option("-v, --verbose", "print details on stderr (connections, timings, server stderr)")
    .addOption(
      new Option(
        "--protocol <era>",
        "MCP protocol era: auto (probe server/discover, fall back to initialize), legacy or modern",
      ).choices(PROTOCOLS),
    )
    .option("--trust-project", "run servers from this project's configuration files without approving them")
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .addHelpText(
      "after",
      `
Exit codes: 0 success, 1 usage or configuration, 2 the work failed, 3 connection or timeout,
4 authentication, 5 sandbox limit, 6 integrity, 130 interrupted.
Documentation: docs/cli.md`,
    );

  registerIntrospect(program, run);
  registerGenerate(program, run);
  registerExecute(program, run);
  registerCall(program, run);
  registerResourceAndPromptCommands(program, run);
  registerServe(program, run);
  registerDaemon(program, run);
  registerSkillCommands(program, run);
  registerServerCommands(program, run);
  registerAuthCommands(program, run);
  registerCompletionCommands(program, run);
  registerHelpCommand(program);
  return program;
}

/**
 * `mcp-cli help [command...]`: the help of a command (`help server list`), as `--help` prints it.
 * Commander's own help command takes one word only, so this walks the path itself.
 */
function registerHelpCommand(program: Command): void {
  program
    .command("help")
    .description("show help for a command")
    .argument("[command...]", "the command, e.g. generate or server list")
    .action((words: string[]) => {
      let target: Command = program;
      for (const word of words) {
        const next = target.commands.find(
          (command) => command.name() === word || command.aliases().includes(word),
        );
        if (next === undefined || (next as Command & { _hidden?: boolean })._hidden === true) {
          throw new InvalidArgumentError(
            `unknown command "${[...words.slice(0, words.indexOf(word)), word].join(" ")}"; see mcp-cli --help`,
          );
        }
        target = next;
      }
      target.help();
    });
}

function registerIntrospect(program: Command, run: RunCommand): void {
  withAdHocOptions(
    program
      .command("introspect")
      .description("describe a server: tools, resources, prompts, capabilities, fingerprint")
      .argument("[server]", "configured name or URL (or a command after --)"),
  )
    .addHelpText("after", `${serverHelp("introspect")}${examples("mcp-cli introspect everything --json")}`)
    .action(async (server: string | undefined, _options, command: Command) => {
      await run(command, async (context) => {
        const { introspectCommand } = await import("./commands/introspect.js");
        return introspectCommand(context, server, command.opts());
      });
    });
}

function registerGenerate(program: Command, run: RunCommand): void {
  withAdHocOptions(
    program
      .command("generate")
      .description("write a typed TypeScript API, SKILL.md and REFERENCE.md for one or more servers")
      .argument("[servers...]", "configured names or URLs (or a command after --)")
      .option("--all", "every enabled server of the configuration")
      .option("-o, --output <dir>", "output directory (a tree there gains these servers)", "./mcp-tools")
      .option("--save-skill [name]", "also save the result as a skill (name defaults to the server's)")
      .option("--description <text>", "skill description for --save-skill")
      .addOption(scopeOption()),
  )
    .addHelpText(
      "after",
      `${serverHelp("generate")}${examples(
        "mcp-cli generate everything -o ./mcp-tools",
        "mcp-cli generate everything --save-skill --scope user",
        "mcp-cli generate everything memory -o ./mcp-tools      # one tree, one SKILL.md for both",
        "mcp-cli generate --all --save-skill project-tools",
      )}`,
    )
    .action(async (servers: string[], _options, command: Command) => {
      await run(command, async (context) => {
        const { generateCommand } = await import("./commands/generate.js");
        return generateCommand(context, servers, command.opts());
      });
    });
}

function registerExecute(program: Command, run: RunCommand): void {
  withAdHocOptions(
    program
      .command("execute")
      .description("run TypeScript or JavaScript in the sandbox with access to servers and skills")
      .argument("[file]", "module to run; - reads standard input")
      .option(
        "-e, --eval <code>",
        "run a snippet: the body of an async function; its return value is the result",
      )
      .option("--server <name>", "make a server callable, generating its API live (repeatable)", collect)
      .option(
        "--all-servers",
        "make every configured, enabled server callable (unreachable ones are left out)",
      )
      .option("--skill <name>", "load a saved skill and its server (repeatable)", collect)
      .option("--session <id>", "keep getState/setState values between runs under this id")
      .option("--reset-session", "start the --session fresh when its stored state cannot be loaded")
      .addOption(
        new Option(
          "--profile <profile>",
          "limit profile (default: the config's sandbox.profile, else moderate)",
        ).choices(PROFILES),
      )
      .option("--timeout <ms>", "wall-clock limit in milliseconds", positiveInteger("--timeout"))
      .option("--memory <mb>", "memory limit in MiB", positiveInteger("--memory"))
      .option("--max-output <kb>", "limit on logs plus result in KiB", positiveInteger("--max-output"))
      .option("--max-calls <n>", "limit on tool calls", positiveInteger("--max-calls"))
      .option("--accept-tool-changes", "run a skill even when its server's tools changed since it was saved")
      .option("--check", "type-check the script against the generated API first (GUEST_TYPE, exit 2)")
      .option("--no-daemon", "run in this process even when a daemon runs for this configuration")
      .addOption(scopeOption()),
    "--env <KEY=VAL>",
  )
    .addHelpText(
      "after",
      `
Examples:
  mcp-cli execute -e 'return 1 + 1'
  mcp-cli execute agent.ts --server everything
  echo 'export default await callTool("everything", "echo", { message: "hi" })' | mcp-cli execute - --server everything
  mcp-cli execute -e 'return await callTool("server-everything", "get-sum", { a: 1, b: 2 })' -- npx -y @modelcontextprotocol/server-everything`,
    )
    .action(async (file: string | undefined, _options, command: Command) => {
      await run(command, async (context) => {
        const { executeCommand } = await import("./commands/execute.js");
        return executeCommand(context, file, command.opts());
      });
    });
}

function registerCall(program: Command, run: RunCommand): void {
  withAdHocOptions(
    program
      .command("call")
      .description("call one tool; key=value arguments are coerced by the tool's input schema")
      .usage("[options] <server> <tool> [key=value...]   (or: <tool> [key=value...] -- <command> [args...])")
      .argument("[server]", "configured name or URL")
      .argument("[tool]", "tool name")
      .argument("[arguments...]", "key=value, key=@file (file contents) or key:=json")
      .option("--args <json>", "all arguments as one JSON object (merged under key=value pairs)")
      .option("--no-daemon", "call from this process even when a daemon runs for this configuration"),
  )
    .addHelpText(
      "after",
      `
Examples:
  mcp-cli call everything echo message=hello
  mcp-cli call everything get-sum a=1 b=2
  mcp-cli call everything echo --args '{"message":"hello"}'
  mcp-cli call fs edit_file path=a.txt edits.0.oldText=foo edits.0.newText=bar
  mcp-cli call echo message=hi -- npx -y @modelcontextprotocol/server-everything
${CALL_ARGUMENT_RULES}`,
    )
    .action(
      async (
        server: string | undefined,
        tool: string | undefined,
        rest: string[],
        _options,
        command: Command,
      ) => {
        await run(command, async (context) => {
          const { callCommand } = await import("./commands/call.js");
          return callCommand(
            context,
            [server, tool, ...rest].filter((word) => word !== undefined),
            command.opts(),
          );
        });
      },
    );
}

function registerResourceAndPromptCommands(program: Command, run: RunCommand): void {
  const resource = program.command("resource").description("server resources: read");
  withAdHocOptions(
    resource
      .command("read")
      .description("read one resource; binary contents as base64 with --json")
      .usage("[options] <server> <uri>   (or: <uri> -- <command> [args...])")
      .argument("[server]", "configured name or URL")
      .argument("[uri]", "resource URI"),
  ).action(async (server: string | undefined, uri: string | undefined, _options, command: Command) => {
    await run(command, async (context) => {
      const { resourceReadCommand } = await import("./commands/resource.js");
      return resourceReadCommand(
        context,
        [server, uri].filter((word) => word !== undefined),
        command.opts(),
      );
    });
  });
  const prompt = program.command("prompt").description("server prompts: get");
  withAdHocOptions(
    prompt
      .command("get")
      .description("get one prompt, filled in with key=value arguments")
      .usage("[options] <server> <name> [key=value...]   (or: <name> [key=value...] -- <command> [args...])")
      .argument("[server]", "configured name or URL")
      .argument("[name]", "prompt name")
      .argument("[arguments...]", "key=value"),
  ).action(
    async (
      server: string | undefined,
      name: string | undefined,
      rest: string[],
      _options,
      command: Command,
    ) => {
      await run(command, async (context) => {
        const { promptGetCommand } = await import("./commands/prompt.js");
        return promptGetCommand(
          context,
          [server, name, ...rest].filter((word) => word !== undefined),
          command.opts(),
        );
      });
    },
  );
}

function registerServe(program: Command, run: RunCommand): void {
  program
    .command("serve")
    .description("serve code mode as an MCP server (execute, search_tools, the generated API as resources)")
    .option("--server <name>", "serve this configured server or URL (repeatable)", collect)
    .option("--all", "serve every enabled configured server")
    .option(
      "--skill <name>",
      "also offer a saved skill (verified; its servers are served) (repeatable)",
      collect,
    )
    .option("--accept-tool-changes", "serve a skill even when its server's tools changed since it was saved")
    .option(
      "--http <[host:]port>",
      "serve Streamable HTTP on this address instead of stdio (default host 127.0.0.1)",
    )
    .option("--token-file <file>", "bearer token clients must send over HTTP (or $MCP_CLI_SERVE_TOKEN)")
    .option("--allow-host <name>", "accept this Host header besides loopback names (repeatable)", collect)
    .option(
      "--allow-origin <host>",
      "accept browser Origins with this host besides loopback (repeatable)",
      collect,
    )
    .option("--max-concurrent <n>", "executions run at once (default 4)", positiveInteger("--max-concurrent"))
    .option(
      "--max-queue <n>",
      "executions waiting for a slot before overload errors (default 64)",
      positiveInteger("--max-queue", { allowZero: true }),
    )
    .option(
      "--max-request-kb <kb>",
      "largest request body and execute code, in KiB (default 1024)",
      positiveInteger("--max-request-kb"),
    )
    .option(
      "--drain-timeout <ms>",
      "on SIGTERM, how long in-flight executions may finish (default 30000)",
      positiveInteger("--drain-timeout"),
    )
    .option("--audit-log <file>", "append one JSON line per execution and tool call to this file")
    .option("--audit-args", "include tool arguments in the audit log (default: a digest only)")
    .addOption(
      new Option(
        "--profile <profile>",
        "limit profile for executions (default: the config's, else moderate)",
      ).choices(PROFILES),
    )
    .option("--timeout <ms>", "wall-clock limit per execution in milliseconds", positiveInteger("--timeout"))
    .option("--memory <mb>", "memory limit per execution in MiB", positiveInteger("--memory"))
    .option(
      "--max-output <kb>",
      "limit on logs plus result per execution in KiB",
      positiveInteger("--max-output"),
    )
    .option("--max-calls <n>", "limit on tool calls per execution", positiveInteger("--max-calls"))
    .addHelpText(
      "after",
      `
Examples:
  mcp-cli serve --server everything                      # stdio, for Claude Desktop, Cursor, VS Code, Codex
  mcp-cli serve --all --http 8080                        # http://127.0.0.1:8080/mcp
  mcp-cli serve --all --http 0.0.0.0:8080 --token-file ~/.config/mcp-cli/serve-token
  claude mcp add mcp-cli -- mcp-cli serve --all          # Claude Code
See docs/serve.md for client configuration snippets.`,
    )
    .action(async (_options, command: Command) => {
      await run(command, async (context) => {
        const { serveCommand } = await import("./commands/serve.js");
        return serveCommand(context, command.opts());
      });
    });
}

function registerDaemon(program: Command, run: RunCommand): void {
  const daemon = program
    .command("daemon")
    .description("a local daemon that keeps servers and sandbox workers warm for execute and call")
    .addHelpText(
      "after",
      `
Examples:
  mcp-cli daemon start          # for the configuration found from here; execute and call then use it
  mcp-cli daemon status
  mcp-cli execute --no-daemon -e 'return 1'   # this run in-process, daemon or not
  mcp-cli daemon stop`,
    );
  daemon
    .command("start")
    .description("start the daemon for this configuration (in the background)")
    .option(
      "--idle-timeout <minutes>",
      "exit after this many minutes without a request (default 30)",
      positiveInteger("--idle-timeout"),
    )
    .action(async (_options, command: Command) => {
      await run(command, async (context) => {
        const { daemonStartCommand } = await import("./commands/daemon.js");
        return daemonStartCommand(context, command.opts());
      });
    });
  daemon
    .command("status")
    .description("whether a daemon runs for this configuration, and what it serves")
    .action(async (_options, command: Command) => {
      await run(command, async (context) => {
        const { daemonStatusCommand } = await import("./commands/daemon.js");
        return daemonStatusCommand(context);
      });
    });
  daemon
    .command("stop")
    .description("stop the daemon of this configuration (in-flight work finishes first)")
    .action(async (_options, command: Command) => {
      await run(command, async (context) => {
        const { daemonStopCommand } = await import("./commands/daemon.js");
        return daemonStopCommand(context);
      });
    });
  daemon
    .command("run", { hidden: true })
    .requiredOption("--fingerprint <fingerprint>")
    .option("--idle-timeout <minutes>", "", positiveInteger("--idle-timeout"), 30)
    .action(async (_options, command: Command) => {
      await run(command, async (context) => {
        const { daemonRunCommand } = await import("./commands/daemon.js");
        return daemonRunCommand(context, command.opts());
      });
    });
}

function registerSkillCommands(program: Command, run: RunCommand): void {
  const skill = program.command("skill").description("saved skills: list, info, load, remove, verify");
  skill
    .command("list")
    .description("list saved skills")
    .addOption(scopeOption())
    .addHelpText("after", examples("mcp-cli skill list", "mcp-cli skill list --scope user --json"))
    .action(async (_options, command: Command) => {
      await run(command, async (context) => {
        const { skillListCommand } = await import("./commands/skill.js");
        return skillListCommand(context, command.opts());
      });
    });
  for (const [name, description] of [
    ["info", "show a skill's metadata"],
    ["load", "verify a skill and print its SKILL.md (with --json: every file)"],
    ["remove", "delete a saved skill"],
    ["verify", "check a skill's files against its checksums (exit 6 on mismatch)"],
  ] as const) {
    skill
      .command(name)
      .description(description)
      .argument("<name>", "skill name")
      .addOption(scopeOption())
      .addHelpText(
        "after",
        examples(`mcp-cli skill ${name} everything`, `mcp-cli skill ${name} everything --scope user`),
      )
      .action(async (skillName: string, _options, command: Command) => {
        await run(command, async (context) => {
          const commands = await import("./commands/skill.js");
          return commands.skillCommand(context, name, skillName, command.opts());
        });
      });
  }
}

function registerServerCommands(program: Command, run: RunCommand): void {
  const server = program.command("server").description("configured servers: list, info, validate, trust");
  server
    .command("list")
    .description("list configured servers, the file each came from and which entry shadows which")
    .addHelpText(
      "after",
      examples(
        "mcp-cli server list",
        "mcp-cli server list --json",
        "mcp-cli server list -v   # every file looked at",
      ),
    )
    .action(async (_options, command: Command) => {
      await run(command, async (context) => {
        const { serverListCommand } = await import("./commands/server.js");
        return serverListCommand(context);
      });
    });
  server
    .command("info")
    .description("show a server's configuration, secrets masked")
    .argument("<name>", "configured server name")
    .addHelpText("after", examples("mcp-cli server info github", "mcp-cli server info github --json"))
    .action(async (name: string, _options, command: Command) => {
      await run(command, async (context) => {
        const { serverInfoCommand } = await import("./commands/server.js");
        return serverInfoCommand(context, name);
      });
    });
  withAdHocOptions(
    server
      .command("validate")
      .description("connect to a server (or every enabled one) and report what it offers")
      .argument("[name]", "configured server name or URL (default: every enabled server)"),
  )
    .addHelpText(
      "after",
      examples(
        "mcp-cli server validate",
        "mcp-cli server validate everything --json",
        "mcp-cli server validate -- npx -y @modelcontextprotocol/server-everything",
      ),
    )
    .action(async (name: string | undefined, _options, command: Command) => {
      await run(command, async (context) => {
        const { serverValidateCommand } = await import("./commands/server.js");
        return serverValidateCommand(context, name, command.opts());
      });
    });
  server
    .command("trust")
    .description("approve a project configuration file that starts processes or expands variables")
    .argument("[file]", "the file (default: every project file here that needs approval)")
    .addHelpText(
      "after",
      `
A project's .mcp.json (or .vscode/mcp.json, .cursor/mcp.json, .gemini/settings.json, opencode.json)
may come from any repository you cloned. Before one of its servers starts, the file must be approved:
on a terminal mcp-cli asks; otherwise run this command after reading the file. The approval is for
the file's current content; a change asks again.${examples("mcp-cli server trust", "mcp-cli server trust .mcp.json")}`,
    )
    .action(async (file: string | undefined, _options, command: Command) => {
      await run(command, async (context) => {
        const { serverTrustCommand } = await import("./commands/server.js");
        return serverTrustCommand(context, file);
      });
    });
}

function registerAuthCommands(program: Command, run: RunCommand): void {
  const auth = program.command("auth").description("OAuth logins to remote servers: login, status, logout");
  withAdHocOptions(
    auth
      .command("login")
      .description("log in to a remote server with OAuth (opens a browser) and store the tokens")
      .argument("[server]", "configured name or URL")
      .option("--no-browser", "print the address instead of opening a browser; paste the redirect back")
      .option("--scope <scope>", "also ask for this scope (repeatable)", collect),
  )
    .addHelpText(
      "after",
      `
The browser is the one named by $BROWSER, else the platform's opener. Tokens are kept in
$XDG_STATE_HOME/mcp-cli/oauth (see docs/authentication.md).`,
    )
    .action(async (server: string | undefined, _options, command: Command) => {
      await run(command, async (context) => {
        const { authLoginCommand } = await import("./commands/auth.js");
        return authLoginCommand(context, server, command.opts());
      });
    });
  auth
    .command("status")
    .description("show stored logins: account, issuer, scopes, expiry (never the tokens)")
    .argument("[server]", "configured name (default: every stored login)")
    .action(async (server: string | undefined, _options, command: Command) => {
      await run(command, async (context) => {
        const { authStatusCommand } = await import("./commands/auth.js");
        return authStatusCommand(context, server);
      });
    });
  auth
    .command("logout")
    .description("revoke the tokens at the authorization server (RFC 7009) and delete them here")
    .argument("<server>", "configured name")
    .option("--local", "only delete the stored tokens; do not ask the authorization server to revoke them")
    .action(async (server: string, _options, command: Command) => {
      await run(command, async (context) => {
        const { authLogoutCommand } = await import("./commands/auth.js");
        return authLogoutCommand(context, server, command.opts());
      });
    });
}

function registerCompletionCommands(program: Command, run: RunCommand): void {
  program
    .command("completions")
    .description("print a shell completion script")
    .addArgument(new Argument("<shell>", "shell").choices(SHELLS))
    .addHelpText(
      "after",
      `
Install:
  bash: mcp-cli completions bash > ~/.local/share/bash-completion/completions/mcp-cli
  zsh:  mcp-cli completions zsh > "\${fpath[1]}/_mcp-cli"
  fish: mcp-cli completions fish > ~/.config/fish/completions/mcp-cli.fish`,
    )
    .action(async (shell: (typeof SHELLS)[number], _options, command: Command) => {
      await run(command, async (context) => {
        const { completionsCommand } = await import("./commands/completions.js");
        return completionsCommand(context, shell, rootOf(command));
      });
    });

  // Called by the completion scripts for names that change: it reads the configuration and the
  // skills directory, and never starts a server.
  program
    .command("__complete", { hidden: true })
    .argument("<kind>", "servers | skills")
    .addOption(scopeOption())
    .action(async (kind: string, _options, command: Command) => {
      await run(command, async (context) => {
        const { completeNamesCommand } = await import("./commands/completions.js");
        return completeNamesCommand(context, kind, command.opts());
      });
    });
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return root;
}
