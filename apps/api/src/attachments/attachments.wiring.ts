import { AddNoteRoute } from '../cases/add-note/add-note.route';
import { Attachments } from './attachments.service';
import { GetAttachmentRoute } from './get-attachment.route';
import { UploadAttachmentRoute } from './upload-attachment.route';

/** Notes and evidence files: the routes and the one service that keeps the files and their records. */
export const ATTACHMENT_ROUTES = [UploadAttachmentRoute, GetAttachmentRoute, AddNoteRoute];
export const ATTACHMENT_PROVIDERS = [Attachments];
