/**
 * The state of the Asana emulator: a user, workspaces, projects (each with its project brief),
 * tasks and attachments. File bytes live in files under one directory, never in memory.
 */
import * as fs from 'fs';
import * as path from 'path';
import { hashFileSync } from '../common/files';

export interface User {
	gid: string;
	name: string;
	email: string;
}

export interface Workspace {
	gid: string;
	name: string;
}

export type ParentType = 'task' | 'project' | 'project_brief';

/** Something attachments can hang on. */
export interface Parent {
	gid: string;
	type: ParentType;
	name: string;
	workspaceGid: string;
	/** Tasks: the projects they are in. Briefs: their project. */
	projectGids: string[];
	/** Projects: the gid of their project brief. */
	briefGid?: string;
}

export interface AttachmentRecord {
	gid: string;
	parentGid: string;
	name: string;
	resourceSubtype: 'asana' | 'external';
	createdAt: Date;
	/** Files: what the upload said, and the bytes. */
	mimeType?: string;
	size?: number;
	sha256?: string;
	filePath?: string;
	/** External links. */
	url?: string;
	connectedToApp?: boolean;
}

export const DEFAULT_USER: User = { gid: '1209000000000001', name: 'Demo User', email: 'demo.user@example.com' };
export const DEFAULT_WORKSPACE: Workspace = { gid: '1209000000000010', name: 'Demo Workspace' };
export const DEFAULT_PROJECT = { gid: '1209000000000100', name: 'Supplier contracts', briefGid: '1209000000000101' };
export const DEFAULT_TASK = { gid: '1209000000001000', name: 'Review the supplier contract' };
export const SECOND_TASK = { gid: '1209000000001001', name: 'Collect Q3 receipts' };

export interface NewFile {
	/** A finished file inside the storage directory; it is moved, not copied. */
	tempPath: string;
	mimeType: string;
	size: number;
	sha256: string;
}

export class AsanaStore {
	private nextGid = 1209000000100000;
	private uploads = 0;
	readonly workspaces = new Map<string, Workspace>();
	readonly parents = new Map<string, Parent>();
	private readonly attachmentsById = new Map<string, AttachmentRecord>();
	/** Hears of every attachment added (by the API or seeded) and removed (webhooks.ts). */
	onAttachmentChange?: (action: 'added' | 'removed', record: AttachmentRecord) => void;

	constructor(
		readonly dir: string,
		readonly user: User,
		private readonly seedDemo: boolean,
	) {
		this.reset();
	}

	newGid(): string {
		return String(this.nextGid++);
	}

	/** Back to the initial state: the demo data (if any), no attachments, no files. */
	reset(): void {
		for (const record of this.attachmentsById.values()) if (record.filePath) fs.rmSync(record.filePath, { force: true });
		this.attachmentsById.clear();
		this.parents.clear();
		this.workspaces.clear();
		this.nextGid = 1209000000100000;
		for (const name of fs.existsSync(this.dir) ? fs.readdirSync(this.dir) : []) {
			if (name.endsWith('.part') || name.endsWith('.bin')) fs.rmSync(path.join(this.dir, name), { force: true });
		}
		if (!this.seedDemo) return;
		this.addWorkspace(DEFAULT_WORKSPACE.name, DEFAULT_WORKSPACE.gid);
		this.addProject(DEFAULT_PROJECT.name, { gid: DEFAULT_PROJECT.gid, briefGid: DEFAULT_PROJECT.briefGid });
		this.addTask(DEFAULT_TASK.name, { gid: DEFAULT_TASK.gid, projectGid: DEFAULT_PROJECT.gid });
		this.addTask(SECOND_TASK.name, { gid: SECOND_TASK.gid, projectGid: DEFAULT_PROJECT.gid });
	}

	addWorkspace(name: string, gid = this.newGid()): Workspace {
		const workspace = { gid, name };
		this.workspaces.set(gid, workspace);
		return workspace;
	}

	private workspaceFor(workspaceGid: string | undefined): string {
		const gid = workspaceGid ?? this.workspaces.keys().next().value;
		if (!gid || !this.workspaces.has(gid)) throw new RangeError(`Unknown workspace ${String(workspaceGid)}`);
		return gid;
	}

	addProject(name: string, options: { gid?: string; workspaceGid?: string; briefGid?: string } = {}): Parent {
		const workspaceGid = this.workspaceFor(options.workspaceGid);
		const project: Parent = {
			gid: options.gid ?? this.newGid(),
			type: 'project',
			name,
			workspaceGid,
			projectGids: [],
			briefGid: options.briefGid ?? this.newGid(),
		};
		this.parents.set(project.gid, project);
		this.parents.set(project.briefGid!, {
			gid: project.briefGid!,
			type: 'project_brief',
			name: `${name} brief`,
			workspaceGid,
			projectGids: [project.gid],
		});
		return project;
	}

	addTask(name: string, options: { gid?: string; projectGid?: string; workspaceGid?: string } = {}): Parent {
		const project = options.projectGid ? this.parents.get(options.projectGid) : undefined;
		if (options.projectGid && project?.type !== 'project') throw new RangeError(`Unknown project ${options.projectGid}`);
		const task: Parent = {
			gid: options.gid ?? this.newGid(),
			type: 'task',
			name,
			workspaceGid: project?.workspaceGid ?? this.workspaceFor(options.workspaceGid),
			projectGids: project ? [project.gid] : [],
		};
		this.parents.set(task.gid, task);
		return task;
	}

	parent(gid: string): Parent | undefined {
		return this.parents.get(gid);
	}

	attachment(gid: string): AttachmentRecord | undefined {
		return this.attachmentsById.get(gid);
	}

	/** The attachments of a parent in the order they were made. */
	attachmentsOf(parentGid: string): AttachmentRecord[] {
		return [...this.attachmentsById.values()].filter((record) => record.parentGid === parentGid);
	}

	tempPath(): string {
		return path.join(this.dir, `upload-${++this.uploads}-${process.hrtime.bigint()}.part`);
	}

	addFile(parentGid: string, name: string, file: NewFile): AttachmentRecord {
		const gid = this.newGid();
		const filePath = path.join(this.dir, `${gid}.bin`);
		fs.renameSync(file.tempPath, filePath);
		const record: AttachmentRecord = {
			gid,
			parentGid,
			name,
			resourceSubtype: 'asana',
			createdAt: new Date(),
			mimeType: file.mimeType,
			size: file.size,
			sha256: file.sha256,
			filePath,
		};
		this.attachmentsById.set(gid, record);
		this.onAttachmentChange?.('added', record);
		return record;
	}

	addLink(parentGid: string, name: string, url: string, connectedToApp = false): AttachmentRecord {
		const record: AttachmentRecord = {
			gid: this.newGid(),
			parentGid,
			name,
			resourceSubtype: 'external',
			createdAt: new Date(),
			url,
			connectedToApp,
		};
		this.attachmentsById.set(record.gid, record);
		this.onAttachmentChange?.('added', record);
		return record;
	}

	/** Adds a file attachment directly (test setup); the bytes are copied into the storage directory. */
	seedFile(parentGid: string, name: string, content: Buffer | { filePath: string }, mimeType: string): AttachmentRecord {
		if (!this.parents.has(parentGid)) throw new RangeError(`Unknown parent ${parentGid}`);
		const tempPath = this.tempPath();
		if (Buffer.isBuffer(content)) fs.writeFileSync(tempPath, content);
		else fs.copyFileSync(content.filePath, tempPath);
		const { size, sha256 } = hashFileSync(tempPath);
		return this.addFile(parentGid, name, { tempPath, mimeType, size, sha256 });
	}

	delete(gid: string): boolean {
		const record = this.attachmentsById.get(gid);
		if (!record) return false;
		this.attachmentsById.delete(gid);
		this.onAttachmentChange?.('removed', record);
		// A download in progress keeps reading the file through its open descriptor.
		if (record.filePath) fs.rmSync(record.filePath, { force: true });
		return true;
	}
}
