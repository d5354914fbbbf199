/**
 * The Wix Attachment Trigger through n8n-core's real webhook code (the webhook harness) against
 * the Wix emulator: the production URL subscribed in the "app dashboard", a file attached to a
 * contact through Wix's API arrives as a JWT signed with the app's key, the execution's item holds
 * the decoded attachment record and the file (SHA-256); a deleted attachment (when chosen) is an
 * item without a file; events not chosen, or of another site, start nothing; activation registers
 * nothing at Wix and fails with a public key that is none; the credential's test reads the key.
 */
import { createHash } from 'crypto';

import { WixAttachmentWebhookApi } from '../../../credentials/WixAttachmentWebhookApi.credentials';
import { WixAttachmentTrigger } from '../../../nodes/WixAttachment/WixAttachmentTrigger.node';
import { binaryStats } from '../../support/n8n-harness';
import type { TriggerHarness } from '../../support/n8n-webhooks';
import { ATTACHMENT_CREATED, ATTACHMENT_DELETED, DEFAULT_INSTANCE_ID } from '../../../sandbox/wix/server';
import { attachFile, deleteFile, useWixTrigger, webhookCredentials } from './trigger-context';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const PDF = Buffer.from(`%PDF-1.7 ${'contract signed '.repeat(8000)}`);
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452000000400000003008060000', 'hex'), Buffer.alloc(40_000, 3)]);

const { server, start, startSubscribed } = useWixTrigger();
let harness: TriggerHarness;

it('a file attached through the API arrives as a signed JWT at the production URL: one execution, the decoded record and the file (SHA-256); activation and deactivation call nothing at Wix', async () => {
	harness = await start();
	await harness.activate();
	expect(server.requests).toEqual([]); // no registration API: nothing was called
	server.webhooks.subscribe(harness.productionUrl, [ATTACHMENT_CREATED]); // what the user does in the app dashboard

	const attachmentId = await attachFile(server, 'signed contract.pdf', 'application/pdf', PDF);
	const [execution] = await harness.waitForExecutions(1);
	await server.webhooks.settle();
	const [delivery] = server.webhooks.deliveries;
	expect(delivery).toMatchObject({ url: harness.productionUrl, eventType: ATTACHMENT_CREATED, status: 200, attempt: 1 });
	expect(delivery.jwt.split('.')).toHaveLength(3);

	expect(execution.error).toBeUndefined();
	const { json } = execution.items[0];
	expect(json).toEqual({
		event: 'attachmentCreated',
		eventType: ATTACHMENT_CREATED,
		eventId: delivery.eventId,
		eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		instanceId: DEFAULT_INSTANCE_ID,
		attachmentId,
		// Wix's attachment events do not name the contact.
		contactId: null,
		fileName: 'signed contract.pdf',
		mimeType: 'application/pdf',
		attachmentType: 'OTHER',
		mediaUrl: expect.stringContaining(`${server.mediaUrl}/media/`),
		attachment: expect.objectContaining({ id: attachmentId, fileName: 'signed contract.pdf', document: expect.objectContaining({ url: json.mediaUrl }) }),
	});
	expect(execution.items[0].binary?.data).toMatchObject({ fileName: 'signed contract.pdf', mimeType: 'application/pdf' });
	expect(await binaryStats(execution.items[0].binary!.data)).toEqual({ size: PDF.length, sha256: sha256(PDF) });
	// The file link is signed: no credential went with it.
	const download = server.requestsTo('media').find((request) => request.method === 'GET');
	expect(download?.headers.authorization).toBeUndefined();

	const before = server.requests.length;
	await harness.deactivate();
	expect(server.requests).toHaveLength(before);
	// Wix keeps the subscription (it is the dashboard's); n8n no longer accepts deliveries there.
	await attachFile(server, 'later.pdf', 'application/pdf', PDF);
	await server.webhooks.settle();
	expect(server.webhooks.deliveries.at(-1)?.status).toBe(404);
	expect(harness.executions).toHaveLength(1);
});

it('an image; Put Output File in Field; Download File off gives the record and its link only', async () => {
	harness = await startSubscribed({ binaryPropertyName: 'photo' });
	await attachFile(server, 'scan.png', 'image/png', PNG);
	const [withFile] = await harness.waitForExecutions(1);
	expect(withFile.items[0].json).toMatchObject({ attachmentType: 'IMAGE', mimeType: 'image/png', fileName: 'scan.png' });
	expect(Object.keys(withFile.items[0].binary ?? {})).toEqual(['photo']);
	expect(await binaryStats(withFile.items[0].binary!.photo)).toEqual({ size: PNG.length, sha256: sha256(PNG) });
	server.webhooks.unsubscribe(harness.productionUrl);
	await harness.close();

	harness = await startSubscribed({ download: false });
	await attachFile(server, 'scan2.png', 'image/png', PNG);
	const [withoutFile] = await harness.waitForExecutions(1);
	expect(withoutFile.items[0].binary).toBeUndefined();
	expect(withoutFile.items[0].json.mediaUrl).toEqual(expect.stringContaining('/media/'));
});

it('Attachment Deleted, when chosen: an item naming the deleted attachment, no file; not chosen: nothing starts (answered 200)', async () => {
	harness = await startSubscribed({ events: [ATTACHMENT_CREATED, ATTACHMENT_DELETED] });
	const attachmentId = await attachFile(server, 'old.pdf', 'application/pdf', PDF);
	await harness.waitForExecutions(1);
	await deleteFile(server, attachmentId);
	const [, deleted] = await harness.waitForExecutions(2);
	expect(deleted.items).toEqual([
		{
			json: expect.objectContaining({ event: 'attachmentDeleted', eventType: ATTACHMENT_DELETED, attachmentId, instanceId: DEFAULT_INSTANCE_ID, fileName: null, mediaUrl: null, attachment: null }),
			pairedItem: expect.anything(),
		},
	]);
	expect(deleted.items[0].binary).toBeUndefined();
	server.webhooks.unsubscribe(harness.productionUrl);
	await harness.close();

	harness = await startSubscribed(); // Attachment Created only
	const other = await attachFile(server, 'another.pdf', 'application/pdf', PDF);
	await harness.waitForExecutions(1);
	await deleteFile(server, other);
	await server.webhooks.settle();
	const url = harness.productionUrl;
	expect(server.webhooks.deliveries.filter((d) => d.url === url).at(-1)).toMatchObject({ eventType: ATTACHMENT_DELETED, status: 200 });
	expect(harness.deliveries.at(-1)?.answer).toEqual({ message: 'Not an event this trigger starts on', attachments: 0 });
	await harness.settle();
	expect(harness.executions).toHaveLength(1);
});

it('Instance ID: events of another site start nothing', async () => {
	harness = await startSubscribed({ instanceId: '00000000-0000-4000-8000-000000000000' });
	await attachFile(server, 'a.pdf', 'application/pdf', PDF);
	await server.webhooks.settle();
	expect(server.webhooks.deliveries.map((d) => d.status)).toEqual([200]);
	expect(harness.executions).toEqual([]);
});

it('"Listen for test event": the test URL, subscribed at Wix, runs one delivery in manual mode', async () => {
	harness = await start();
	await harness.listen();
	server.webhooks.subscribe(harness.testUrl);
	await attachFile(server, 'a.pdf', 'application/pdf', PDF);
	const [execution] = await harness.waitForExecutions(1);
	expect(execution.mode).toBe('test');
	expect(await binaryStats(execution.items[0].binary!.data)).toEqual({ size: PDF.length, sha256: sha256(PDF) });
	expect(harness.listening).toBe(false);
});

it('activation fails with a public key that is none; the credential test reads the key', async () => {
	harness = await start({}, webhookCredentials(server, { publicKey: 'not a key' }));
	await expect(harness.activate()).rejects.toThrow(/The credential's "Public Key" is not a public key/);
	expect(harness.active).toBe(false);

	const test = new WixAttachmentTrigger().methods.credentialTest.wixWebhookPublicKey;
	const context = {} as ThisParameterType<typeof test>;
	const credential = (publicKey: string) => ({ id: '1', name: 'Wix', type: new WixAttachmentWebhookApi().name, data: { publicKey } });
	expect(await test.call(context, credential(server.webhooks.publicKeyPem))).toEqual({ status: 'OK', message: 'The public key is an RSA public key' });
	// Pasted on one line, or only its body: read too.
	const body = server.webhooks.publicKeyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
	expect((await test.call(context, credential(server.webhooks.publicKeyPem.replace(/\n/g, ' ')))).status).toBe('OK');
	expect((await test.call(context, credential(body))).status).toBe('OK');
	expect(await test.call(context, credential(''))).toEqual({ status: 'Error', message: 'The credential\'s "Public Key" is empty' });
	expect((await test.call(context, credential('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'))).status).toBe('Error');
});
