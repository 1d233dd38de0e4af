// Checks shared by the tests that reach @modelcontextprotocol/server-everything (from npm)
// through the gateway, whether it runs as a child process or as a remote server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** The server's entry point; its argument chooses stdio, sse or streamableHttp. */
export const EVERYTHING = path.join(
  path.dirname(require.resolve('@modelcontextprotocol/server-everything/package.json')),
  'dist', 'index.js',
);

/**
 * Starts server-everything over HTTP (`streamableHttp` or `sse`) on a free loopback port.
 * Returns {port, child, stop()}.
 */
export async function startEverythingHttp(mode, port) {
  const child = spawn(process.execPath, [EVERYTHING, mode], {
    env: { PATH: process.env.PATH, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server-everything ${mode} did not start: ${output}`)), 15000);
    child.stderr.on('data', (chunk) => {
      output += chunk;
      if (/listening on port|running on port/i.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server-everything ${mode} exited with ${code}: ${output}`));
    });
  });
  child.stderr.resume();
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
  return { port, child, stop };
}

/** Tools of every content type arrive intact, and an unknown tool gets the server's error. */
export async function checkTools(client) {
  assert.ok(client.getServerCapabilities()?.tools, 'no tools capability');
  assert.ok(client.getServerCapabilities()?.resources, 'no resources capability');
  assert.ok(client.getServerCapabilities()?.prompts, 'no prompts capability');
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  for (const name of ['echo', 'get-tiny-image', 'get-env', 'get-resource-links',
    'get-resource-reference', 'get-structured-content', 'trigger-long-running-operation']) {
    assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
  }
  const echo = await client.callTool({ name: 'echo', arguments: { message: 'through' } });
  assert.deepEqual(echo.content, [{ type: 'text', text: 'Echo: through' }]);

  const image = await client.callTool({ name: 'get-tiny-image', arguments: {} });
  const picture = image.content.find((c) => c.type === 'image');
  assert.equal(picture.mimeType, 'image/png');
  assert.ok(Buffer.from(picture.data, 'base64').subarray(1, 4).toString() === 'PNG');

  const links = await client.callTool({ name: 'get-resource-links', arguments: { count: 2 } });
  assert.equal(links.content.filter((c) => c.type === 'resource_link').length, 2);

  const reference = await client.callTool({ name: 'get-resource-reference',
    arguments: { resourceType: 'Text', resourceId: 3 } });
  const embedded = reference.content.find((c) => c.type === 'resource');
  assert.match(embedded.resource.uri, /^demo:\/\/resource\/dynamic\/text\/3$/);

  const weather = await client.callTool({ name: 'get-structured-content',
    arguments: { location: 'Chicago' } });
  assert.equal(typeof weather.structuredContent.temperature, 'number');

  // The server's own answer passes through: an error result (or a JSON-RPC error).
  const unknown = await client.callTool({ name: 'no-such-tool', arguments: {} })
    .then((r) => r, (e) => ({ isError: true, content: [{ text: e.message }] }));
  assert.equal(unknown.isError, true);
  assert.match(JSON.stringify(unknown.content), /no-such-tool/);
}

/** Resources, templates and prompts (with arguments) arrive intact. */
export async function checkResourcesAndPrompts(client) {
  const { resources } = await client.listResources();
  assert.ok(resources.length > 0);
  const read = await client.readResource({ uri: 'demo://resource/dynamic/text/1' });
  assert.equal(read.contents[0].uri, 'demo://resource/dynamic/text/1');
  assert.equal(typeof read.contents[0].text, 'string');
  const { resourceTemplates } = await client.listResourceTemplates();
  assert.ok(resourceTemplates.some((t) => t.uriTemplate.startsWith('demo://resource/dynamic')));
  const { prompts } = await client.listPrompts();
  assert.ok(prompts.some((p) => p.name === 'simple-prompt'), JSON.stringify(prompts));
  const prompt = await client.getPrompt({ name: 'args-prompt', arguments: { city: 'Lisbon' } });
  assert.match(JSON.stringify(prompt.messages), /Lisbon/);
}

/** Three progress notifications of a call arrive with the client's own token. */
export async function checkProgress(client) {
  const progress = [];
  const result = await client.callTool(
    { name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } },
    undefined,
    { onprogress: (p) => progress.push(p) },
  );
  assert.notEqual(result.isError, true);
  assert.equal(progress.length, 3, JSON.stringify(progress));
  assert.deepEqual(progress.map((p) => p.progress), [1, 2, 3]);
}
