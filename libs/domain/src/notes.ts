/**
 * Notes (the coordination record every party keeps on a case) and the evidence files (现场照片, 整改前后对比)
 * that notes, completions, extension requests, returns and appeals carry. The files themselves live in a blob store outside the domain; a command
 * names them by id and carries, as facts looked up by its sender, what the store knows of each upload.
 */
import type { Actor } from './actor';
import type { CaseState } from './case.state';
import { Forbidden, Invalid, type FieldError } from './errors';
import { hasText } from './text';

/** The types an upload may have, decided by its magic bytes (never by its name or the client's Content-Type). */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;
export type AttachmentType = (typeof ATTACHMENT_TYPES)[number];

/** Longest note, in UTF-16 code units (the DTO refuses longer ones first; the rule is here). */
export const NOTE_MAX_LENGTH = 2000;
/** Most files one command (a note, completion, extension request, return or appeal) may carry. */
export const MAX_ATTACHMENTS = 10;

/** What the blob store recorded of one upload: the fact a command about it carries. */
export interface AttachmentFact {
  id: string;
  sha256: string;
  size: number;
  type: AttachmentType;
  fileName: string;
  uploadedBy: { orgId: string; userId: string };
  uploadedAt: string;
}

/** A file as an event records it: which content (hash, size, checked type), under what name, uploaded by whom. */
export type AttachmentRef = AttachmentFact;

/** The uploads a command names, as the sender found them (an id it did not find is simply absent). */
export interface UploadFacts {
  uploads: readonly AttachmentFact[];
}

/** A note on the case by any party that may act on it, optionally with files it uploaded. */
export interface AddNote extends UploadFacts {
  type: 'AddNote';
  caseId: string;
  actor: Actor;
  now: string;
  data: { text: string; attachmentIds?: string[] };
}

/** A note was added to the case's coordination record. */
export interface NoteAdded {
  type: 'NoteAdded';
  data: {
    caseId: string;
    occurredAt: string;
    authorOrgId: string;
    authorRole: 'township' | 'department' | 'command_centre';
    text: string;
    attachments: AttachmentRef[];
  };
}

/**
 * The township that raised the case, every department that holds or held a part, and the county's command centre
 * may write notes; the assessment office only reads. (Whoever may not see the case never gets here: it is not found.)
 */
export function addNote(cmd: AddNote, state: CaseState): NoteAdded[] {
  const { actor } = cmd;
  const mayAct =
    (actor.role === 'township' && actor.orgId === state.townshipId) ||
    (actor.role === 'department' && state.involvedDepartmentIds.includes(actor.orgId)) ||
    (actor.role === 'command_centre' && actor.countyId === state.countyId);
  if (!mayAct) throw Forbidden.role(actor.role, 'add a note');
  const { text } = cmd.data;
  if (!hasText(text)) throw Invalid.field('text', 'must say something (not only spaces or invisible characters)');
  if (text.length > NOTE_MAX_LENGTH) throw Invalid.field('text', `at most ${NOTE_MAX_LENGTH} characters`);
  const attachments = attachedUploads(actor, cmd.data.attachmentIds, cmd.uploads);
  return [
    {
      type: 'NoteAdded',
      data: {
        caseId: state.caseId,
        occurredAt: cmd.now,
        authorOrgId: actor.orgId,
        authorRole: actor.role as NoteAdded['data']['authorRole'],
        text,
        attachments,
      },
    },
  ];
}

/**
 * The files a command names, each one an upload by the actor's own org (a file uploaded by another org, or by
 * nobody, is refused alike, so the answer does not tell whether someone else uploaded it). Each id at fault is
 * named by its field.
 */
export function attachedUploads(actor: Actor, ids: readonly string[] | undefined, uploads: readonly AttachmentFact[] | undefined): AttachmentRef[] {
  if (!ids || ids.length === 0) return [];
  if (ids.length > MAX_ATTACHMENTS) throw Invalid.field('attachmentIds', `at most ${MAX_ATTACHMENTS} files`);
  const errors: FieldError[] = [];
  const found: AttachmentRef[] = [];
  ids.forEach((id, i) => {
    const field = `attachmentIds[${i}]`;
    if (ids.indexOf(id) !== i) {
      errors.push({ field, message: `${id} is named twice` });
      return;
    }
    const upload = uploads?.find((u) => u.id === id);
    if (!upload || upload.uploadedBy.orgId !== actor.orgId) {
      errors.push({ field, message: `${id} is not an upload of ${actor.orgId}` });
      return;
    }
    const { sha256, size, type, fileName, uploadedBy, uploadedAt } = upload;
    found.push({ id, sha256, size, type, fileName, uploadedBy: { orgId: uploadedBy.orgId, userId: uploadedBy.userId }, uploadedAt });
  });
  if (errors.length) throw Invalid.fields(errors);
  return found;
}

/** What a command that may file evidence carries: the ids it names and the facts its sender looked up. */
export interface FilesEvidence {
  actor: Actor;
  data: { attachmentIds?: readonly string[] };
  uploads?: readonly AttachmentFact[];
}

/**
 * The evidence a command files, as its event records it: `attachments` when there are some, no field otherwise (so
 * an event without files looks as it did before files existed). Every move that takes files goes through this.
 */
export function filedEvidence(cmd: FilesEvidence): { attachments?: AttachmentRef[] } {
  const attachments = attachedUploads(cmd.actor, cmd.data.attachmentIds, cmd.uploads);
  return attachments.length ? { attachments } : {};
}

/**
 * The attachment ids an event of the case refers to: every event that files evidence records it as `attachments`
 * (NoteAdded, HandlingCompleted, ExtensionRequested, PartReturned, ReviewAppealed: whatever filedEvidence made), so
 * this reads that field of any event.
 */
export function attachmentIdsOf(event: { type: string; data: object }): string[] {
  const attachments = (event.data as { attachments?: unknown }).attachments;
  if (!Array.isArray(attachments)) return [];
  return attachments.flatMap((a: unknown) => (a && typeof a === 'object' && typeof (a as { id?: unknown }).id === 'string' ? [(a as { id: string }).id] : []));
}
