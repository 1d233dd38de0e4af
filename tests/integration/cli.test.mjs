// Black-box tests of the `sagemcp` command line client against a real server: every command
// group, its table and JSON output, exit codes, the profile file, and the REPL on a terminal.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { binaryPath, randomSlug, startServer } from '../support/server.mjs';

let server;
let home;
let env;

/** Runs the CLI; returns {code, stdout, stderr}. */
function cli(args, { input, extraEnv = {} } = {}) {
  const res = spawnSync(binaryPath(), args, {
    env: { ...env, ...extraEnv },
    input,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Runs the CLI with --format json; asserts exit 0 and returns the parsed output. */
function cliJson(args) {
  const res = cli([...args, '--format', 'json']);
  assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
  return JSON.parse(res.stdout);
}

function ok(args) {
  const res = cli(args);
  assert.equal(res.code, 0, `${args.join(' ')} exited ${res.code}: ${res.stderr}`);
  return res.stdout;
}

before(async () => {
  server = await startServer({ auth: true });
  home = await mkdtemp(path.join(tmpdir(), 'sagemcp-cli-home-'));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_STATE_HOME: path.join(home, 'state'),
  };
});

after(async () => {
  await server?.stop();
  if (home) {
    await rm(home, { recursive: true, force: true });
  }
});

describe('sagemcp cli', () => {
  const slug = randomSlug('cli');
  let connectorId;

  it('init verifies the key and writes a private profile file', async () => {
    const out = ok(['init', '--url', server.baseUrl, '--api-key', server.adminKey]);
    assert.match(out, /platform_admin/);
    const file = path.join(home, 'config', 'sagemcp', 'config.toml');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    assert.match(await readFile(file, 'utf8'), /current_profile = 'default'/);
  });

  it('init with a wrong key fails with 3 and saves nothing new', () => {
    const res = cli(['init', '--profile', 'bad', '--url', server.baseUrl, '--api-key', 'smcp_pa_nope']);
    assert.equal(res.code, 3, res.stderr);
    assert.ok(!cli(['config', 'list']).stdout.includes('bad'));
  });

  it('config show masks the key; set, use and list work', () => {
    const shown = ok(['config', 'show']);
    assert.match(shown, /smcp_pa_\S{4}…/);
    assert.ok(!shown.includes(server.adminKey), 'full key printed');
    const json = cliJson(['config', 'show']);
    assert.equal(json.url, server.baseUrl);
    assert.ok(json.api_key.endsWith('…'));
    ok(['--profile', 'other', 'config', 'set', 'url', 'http://127.0.0.1:1']);
    assert.equal(cli(['config', 'set', 'nope', 'x']).code, 2);
    ok(['config', 'use', 'other']);
    const list = cliJson(['config', 'list']);
    assert.deepEqual(list.filter((p) => p.current).map((p) => p.profile), ['other']);
    assert.equal(cli(['config', 'use', 'missing']).code, 3);
    ok(['config', 'use', 'default']);
  });

  it('version shows client and server', () => {
    assert.match(ok(['version']), /^sagemcp \d+\.\d+\.\d+\nserver \d+\.\d+\.\d+/);
    const json = cliJson(['version']);
    assert.equal(json.client, json.server);
  });

  it('doctor passes every check', () => {
    const out = ok(['doctor', '--no-color']);
    for (const check of ['config file', 'server reachable', 'server version', 'database', 'api key']) {
      assert.match(out, new RegExp(`${check}\\s+ok`), out);
    }
  });

  it('a bad flag is a usage error (2) and --help has examples', () => {
    assert.equal(cli(['tenant', 'list', '--bogus']).code, 2);
    assert.equal(cli(['tenant']).code, 2);
    for (const args of [['tenant', 'create', '--help'], ['mcp', 'call', '--help'], ['logs', '--help']]) {
      const res = cli(args);
      assert.equal(res.code, 0);
      assert.match(res.stdout, /Examples:\n  sagemcp /);
    }
  });

  it('tenant create, list, get, update; unknown is 3', () => {
    const created = cliJson(['tenant', 'create', slug, '--name', 'CLI Test']);
    assert.equal(created.slug, slug);
    const table = ok(['tenant', 'list']);
    assert.match(table.split('\n')[0], /^SLUG\s+NAME\s+ACTIVE/);
    assert.match(table, new RegExp(`^${slug}\\s+CLI Test\\s+true`, 'm'));
    assert.ok(cliJson(['tenant', 'list']).some((t) => t.slug === slug));
    const updated = cliJson(['tenant', 'update', slug, '--description', 'from the cli']);
    assert.equal(updated.name, 'CLI Test');
    assert.equal(updated.description, 'from the cli');
    assert.match(ok(['tenant', 'get', slug, '--format', 'yaml']), /^description: from the cli$/m);
    const missing = cli(['tenant', 'get', randomSlug('nope')]);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /not found/);
  });

  it('connector types, create, list, get, disable, enable', () => {
    assert.match(ok(['connector', 'types']), /^everything\s/m);
    const c = cliJson(['connector', 'create', slug, '--type', 'everything', '--name', 'Everything']);
    connectorId = c.id;
    assert.match(ok(['connector', 'list', slug]), new RegExp(`^${c.id}\\s+Everything\\s+everything\\s+native\\s+true`, 'm'));
    assert.equal(cliJson(['connector', 'disable', slug, c.id]).is_enabled, false);
    assert.equal(cliJson(['connector', 'disable', slug, c.id]).is_enabled, false);
    assert.equal(cliJson(['connector', 'enable', slug, c.id]).is_enabled, true);
    assert.equal(cliJson(['connector', 'get', slug, c.id]).connector_type, 'everything');
    assert.equal(cli(['connector', 'get', slug, '00000000-0000-0000-0000-000000000000']).code, 3);
  });

  it('connector create with external runtime fields and remote headers', () => {
    const ext = cliJson(['connector', 'create', slug, '--runtime', 'external_custom', '--name', 'ext',
      '--command', '["/nonexistent/sagemcp-cli-test"]', '--env', 'A=1', '--package-path', '/tmp']);
    assert.equal(ext.runtime_type, 'external_custom');
    assert.deepEqual(ext.runtime_env_keys, ['A']);
    const remote = cliJson(['connector', 'create', slug, '--runtime', 'external_remote', '--name', 'remote',
      '--config', 'url=https://mcp.example.com/mcp', '--header', 'X-Token=abc']);
    assert.equal(remote.runtime_type, 'external_remote');
    assert.deepEqual(remote.runtime_env_keys, ['X-Token']);
    // The command cannot start: the upstream failure is a server error, exit 4.
    const res = cli(['mcp', '--tenant', slug, '--connector', ext.id, 'tools']);
    assert.equal(res.code, 4, res.stderr);
    assert.equal(cli(['process', 'status', slug, ext.id]).code, 0);
    assert.equal(cli(['process', 'stop', slug, connectorId]).code, 3);
    assert.equal(cliJson(['connector', 'delete', slug, remote.id, '--yes']).deleted, remote.id);
    assert.equal(cli(['connector', 'delete', slug, ext.id]).code, 2, 'delete without --yes off a terminal');
  });

  it('tool list, disable, enable, sync', () => {
    assert.match(ok(['tool', 'list', slug, connectorId]), /^echo\s+true\s+Echoes/m);
    assert.match(ok(['tool', 'disable', slug, connectorId, 'add']), /^add\s+false$/m);
    const tools = cliJson(['tool', 'list', slug, connectorId]).tools;
    assert.equal(tools.find((t) => t.tool_name === 'add').is_enabled, false);
    ok(['tool', 'enable', slug, connectorId, 'add']);
    ok(['tool', 'sync', slug, connectorId]);
    assert.equal(cli(['tool', 'enable', slug, connectorId]).code, 2);
  });

  it('key create prints the key once; list; revoke; a tenant key gets 403 on admin routes', () => {
    const created = cliJson(['key', 'create', '--name', 'cli', '--scope', 'tenant_user', '--tenant', slug]);
    assert.match(created.key, /^smcp_tu_/);
    const list = ok(['key', 'list']);
    assert.ok(list.includes(created.id));
    assert.ok(!list.includes(created.key));
    const forbidden = cli(['tenant', 'list', '--api-key', created.key]);
    assert.equal(forbidden.code, 3);
    assert.ok(forbidden.stderr.length > 0);
    // The tenant key works for MCP.
    assert.match(cli(['mcp', '--tenant', slug, 'ping', '--api-key', created.key]).stdout, /pong in/);
    ok(['key', 'revoke', created.id]);
    assert.equal(cli(['mcp', '--tenant', slug, 'ping', '--api-key', created.key]).code, 3);
  });

  it('mcp info, tools, call, resources, read, prompts, get-prompt, ping', () => {
    const target = ['mcp', '--tenant', slug, '--connector', connectorId];
    assert.match(ok([...target, 'info']), /protocol:\s+2025-11-25/);
    assert.equal(cliJson([...target, 'info']).serverInfo.name, 'sagemcp');
    assert.match(ok([...target, 'tools']), /^echo\s+Echoes/m);
    assert.equal(ok([...target, 'call', 'echo', 'message=hello']), 'Echo: hello\n');
    assert.equal(ok([...target, 'call', 'add', 'a=2', 'b=3']).trim(), '5');
    assert.equal(cliJson([...target, 'call', 'add', '--args', '{"a":1,"b":2}']).structuredContent.sum, 3);
    assert.equal(cli([...target, 'call', 'add', 'a=x']).code, 2);
    assert.equal(cli([...target, 'call', 'no_such_tool']).code, 3);
    assert.match(ok([...target, 'resources']), /^test:\/\/static-text\s/m);
    assert.ok(ok([...target, 'read', 'test://static-text']).length > 0);
    assert.match(ok([...target, 'prompts']), /^test_prompt_with_arguments\s.*arg1, arg2/m);
    assert.match(ok([...target, 'get-prompt', 'test_prompt_with_arguments', 'arg1=x', 'arg2=y']), /^user: /m);
    assert.match(ok([...target, 'ping']), /^pong in \d+(\.\d+)? ms$/m);
    assert.equal(cli(['mcp', 'tools']).code, 2, 'no target');
  });

  it('pool list, summary, evict; sessions list', () => {
    ok(['mcp', '--tenant', slug, '--connector', connectorId, 'ping']);
    assert.ok(cliJson(['pool', 'list']).some((p) => p.connector_id === connectorId));
    assert.equal(typeof cliJson(['pool', 'summary']).instances, 'number');
    ok(['pool', 'evict', slug, connectorId]);
    assert.equal(typeof cliJson(['pool', 'evict', '--idle']).evicted, 'number');
    assert.ok(Array.isArray(cliJson(['sessions', 'list'])));
    assert.match(ok(['sessions', 'list']), /^ID\s+KIND\s+TENANT/);
    assert.equal(cli(['sessions', 'get', 'no-such-session']).code, 3);
  });

  it('logs prints the backlog and ends', () => {
    const res = cli(['logs', '-n', '5']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^\S+Z (info|warn|debug|error) /m);
    const json = cli(['logs', '-n', '3', '--format', 'json']);
    for (const line of json.stdout.trim().split('\n')) {
      assert.equal(typeof JSON.parse(line).msg, 'string');
    }
  });

  it('oauth providers, status, config-set, config-list, config-delete', () => {
    assert.match(ok(['oauth', 'providers']), /^github\s+GitHub/m);
    assert.deepEqual(cliJson(['oauth', 'status', slug]), []);
    ok(['oauth', 'config-set', slug, 'github', '--client-id', 'cid', '--client-secret', 'secret']);
    const apps = cliJson(['oauth', 'config-list', slug]);
    assert.equal(apps[0].client_id, 'cid');
    assert.equal(apps[0].client_secret_set, true);
    assert.ok(!JSON.stringify(apps).includes('secret"'), 'secret echoed');
    ok(['oauth', 'config-delete', slug, 'github']);
    assert.equal(cli(['oauth', 'authorize', slug, 'no-such-provider', '--timeout', '1']).code, 3);
  });

  it('migrate applies migrations on a fresh data dir', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sagemcp-cli-migrate-'));
    try {
      const res = cli(['migrate', '--data-dir', dir]);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /schema version 0 -> \d+/);
      assert.match(cli(['migrate', '--data-dir', dir]).stdout, /schema version (\d+) -> \1/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the REPL lists tools, completes a tool name, calls echo and quits', async () => {
    const command = `${binaryPath()} mcp --tenant ${slug} --connector ${connectorId} interactive`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { ...env, TERM: 'xterm' } });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const waitFor = async (pattern) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(output)) {
        if (Date.now() > deadline) {
          throw new Error(`no ${pattern} in:\n${output}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await waitFor(/mcp> /);
    child.stdin.write('tools\n');
    await waitFor(/test_simple_text/);
    // Only completion turns "ec" into the echo tool; the call succeeds only if it did.
    child.stdin.write('call ec\t');
    await new Promise((r) => setTimeout(r, 300));
    child.stdin.write(' message=from-the-repl\n');
    await waitFor(/Echo: from-the-repl/);
    child.stdin.write('quit\n');
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 5000))]);
    if (code === 'timeout') {
      child.kill('SIGKILL');
    }
    assert.equal(code, 0, output);
    const history = await readFile(path.join(home, 'state', 'sagemcp', 'history'), 'utf8');
    assert.match(history, /call(\s|\\040)echo/);
  });

  it('tenant delete with --yes', () => {
    assert.equal(cliJson(['tenant', 'delete', slug, '--yes']).deleted, slug);
    assert.equal(cli(['tenant', 'get', slug]).code, 3);
  });
});
