/**
 * `npm start -- --queue` as a user runs it (scripts/queue/start.ts): the script is started the way
 * npm starts it (its own process group), on a free main port, sandboxes on free ports and a data
 * folder of its own (--port, --random-ports, --data), so a developer's demo is left alone. Once it
 * prints its ready block, every curl line it printed is run as printed (by bash, with curl's
 * status code appended): each must answer 200 with what its example's last node gives. Then
 * Ctrl-C (SIGINT to the group) must stop every process and leave none of their ports open.
 *
 * Bounded: the start has 12 minutes (build, the package's install, PostgreSQL, Redis, main and 2
 * workers on a busy 2-core machine; about 2–4 minutes when the host is prepared), each call 3, the
 * stop 2.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { EXAMPLES } from '../../examples';
import { freePort } from '../../scripts/queue/processes';
import { exampleWebhookPath } from '../../scripts/queue/start';
import { PROVIDERS } from '../../sandbox/providers';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const DATA_DIR = path.join(REPO_ROOT, '.queue-data', `demo-test-${process.pid}`);
const START_LOG = path.join(REPO_ROOT, '.queue-data', 'demo-test-start.log');
const READY = /n8n \(queue mode\) is ready at http:\/\/localhost:(\d+)/;
/** The end of the ready block: every example line is printed before it. */
const BLOCK_END = /Which worker ran an execution/;
const START_MS = 12 * 60_000;
const CALL_MS = 3 * 60_000;
const STOP_MS = 2 * 60_000;

type Body = Array<Record<string, unknown>>;

/**
 * What each example's call must answer: the items of its last node (the webhook answers all of
 * them). By workflow ID; an example with no entry here fails the test, so a new one gets checked.
 */
const EXPECTED: Record<string, (body: Body) => void> = {
	// Upload with Replace Existing: the record of "receipt (copy).pdf" on the demo invoice.
	xeroExampleFlow01: (body) => expect(body).toEqual([expect.objectContaining({ FileName: 'receipt (copy).pdf', AttachmentID: expect.any(String) })]),
	// One upload per attachment of the demo task, each a new attachment on the other task.
	asanaExampleFlow01: (body) => {
		expect(body.length).toBeGreaterThan(0);
		for (const item of body) expect(item).toMatchObject({ gid: expect.stringMatching(/^\d+$/), resource_type: 'attachment' });
	},
	// Get Many again: the demo file and (at least) the copy just uploaded.
	wixExampleFlow01: (body) => {
		const names = body.map((item) => item.fileName ?? item.name);
		expect(names).toEqual(expect.arrayContaining(['signed-form.pdf', 'signed-form (copy).pdf']));
	},
	// The upload deleted again.
	sunshineExampleFlow1: (body) => expect(body).toEqual([{ deleted: true }]),
	// The scripted model's last words, after its three tool calls.
	agentExampleFlow01: (body) => expect(body).toEqual([{ output: expect.stringMatching(/attached a summary of it, summary\.md, to task 1209000000001000/) }]),
};

interface PrintedExample {
	title: string;
	url: string;
	curl: string;
}

/** The examples of the ready block: `  "<title>"`, the URL, then `curl -s <url>`. */
function printedExamples(output: string): PrintedExample[] {
	const found: PrintedExample[] = [];
	const pattern = /^ {2}"(.+)"\n +(http:\/\/\S+)\n +(curl .+)$/gm;
	for (let match = pattern.exec(output); match; match = pattern.exec(output)) found.push({ title: match[1], url: match[2], curl: match[3] });
	return found;
}

/** Runs a printed curl line as it is, by bash, with `-w` appending the status code on a line of its own. */
async function runCurlLine(line: string): Promise<{ status: number; body: string; ms: number }> {
	const started = Date.now();
	return await new Promise((resolve, reject) => {
		execFile('bash', ['-c', `${line} --max-time ${CALL_MS / 1000} -w '\\n%{http_code}'`], { maxBuffer: 64 * 1024 * 1024, timeout: CALL_MS + 10_000 }, (error, stdout) => {
			if (error) return reject(new Error(`${line}: ${error.message}\n${stdout.slice(-2000)}`));
			const cut = stdout.lastIndexOf('\n');
			resolve({ status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut), ms: Date.now() - started });
		});
	});
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

const declared = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { n8n: { nodes?: string[] } }).n8n.nodes ?? [];
// An example a provider's event starts (`trigger`) gets no Webhook trigger and no curl line from the start script (scripts/queue/start.ts).
const runnable = EXAMPLES.filter((example) => !example.trigger && declared.includes(PROVIDERS.find((provider) => provider.name === example.provider)?.nodeFile ?? '-'));

describe('npm start -- --queue: every printed curl line answers 200', () => {
	let child: ChildProcess | undefined;
	let output = '';
	let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

	beforeAll(async () => {
		rmSync(DATA_DIR, { recursive: true, force: true });
		mkdirSync(path.dirname(START_LOG), { recursive: true });
		const log = createWriteStream(START_LOG);
		const port = await freePort();
		const env = { ...process.env };
		delete env.NODE_OPTIONS;
		// What `npm start -- --queue` runs (package.json: "start": "tsx scripts/start/main.ts").
		child = spawn(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/start/main.ts', '--queue', `--port=${port}`, '--random-ports', `--data=${DATA_DIR}`], {
			cwd: REPO_ROOT,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		exited = new Promise((resolve) => child!.once('close', (code, signal) => resolve({ code, signal })));
		const started = Date.now();
		await new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`npm start -- --queue printed no ready block within ${START_MS / 60_000} min (log ${START_LOG}):\n${output.slice(-4000)}`)), START_MS);
			const onData = (chunk: Buffer) => {
				log.write(chunk);
				output += chunk.toString('utf8');
				if (READY.test(output) && BLOCK_END.test(output)) {
					clearTimeout(timer);
					resolve();
				}
			};
			child!.stdout!.on('data', onData);
			child!.stderr!.on('data', onData);
			void exited.then(({ code, signal }) => {
				clearTimeout(timer);
				reject(new Error(`npm start -- --queue exited (${signal ?? code}) before it was ready (log ${START_LOG}):\n${output.slice(-4000)}`));
			});
		});
		console.log(`[queue demo] ready in ${Math.round((Date.now() - started) / 1000)} s`);
	}, START_MS + 60_000);

	afterAll(async () => {
		if (child && child.exitCode === null && child.signalCode === null) {
			killGroup(child.pid!, 'SIGKILL');
			await exited;
		}
		if (!process.env.KEEP_QUEUE_DATA) rmSync(DATA_DIR, { recursive: true, force: true });
	}, 60_000);

	it('prints one URL and curl line per example, each on a path of its own', () => {
		const printed = printedExamples(output);
		expect(printed.map((entry) => entry.title)).toEqual(runnable.map((example) => example.title));
		for (const [index, entry] of printed.entries()) {
			expect(new URL(entry.url).pathname).toBe(`/webhook/${exampleWebhookPath(runnable[index])}`);
			expect(entry.curl).toBe(`curl -s ${entry.url}`);
		}
		expect(new Set(printed.map((entry) => entry.url)).size).toBe(printed.length);
	});

	it.each(runnable.map((example) => [example.title, example] as const))('"%s": its curl line answers 200 with its last node\'s items', async (title, example) => {
		const entry = printedExamples(output).find((candidate) => candidate.title === title);
		expect(entry).toBeDefined();
		const check = EXPECTED[example.workflowId];
		if (!check) throw new Error(`no expectation for the example ${example.workflowId} in this test: add one to EXPECTED`);
		const answer = await runCurlLine(entry!.curl);
		console.log(`[queue demo] ${entry!.curl}: ${answer.status} in ${answer.ms} ms`);
		if (answer.status !== 200) throw new Error(`${entry!.curl} answered ${answer.status}: ${answer.body.slice(0, 2000)}`);
		check(JSON.parse(answer.body) as Body);
	}, CALL_MS + 30_000);

	it('Ctrl-C stops every process, leaving none of their ports open', async () => {
		killGroup(child!.pid!, 'SIGINT');
		const killer = setTimeout(() => killGroup(child!.pid!, 'SIGKILL'), STOP_MS);
		const { code } = await exited;
		clearTimeout(killer);
		expect(output).toMatch(/\[start --queue\] stopped; none of their ports \([\d, ]+\) is open\./);
		expect(code).toBe(0);
	}, STOP_MS + 30_000);
});
