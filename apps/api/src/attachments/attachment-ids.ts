import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsOptional, IsUUID } from 'class-validator';
import { MAX_ATTACHMENTS } from '@chuishao/domain';

/**
 * `attachmentIds` of every command that files evidence (notes, completions, extension requests, returns, appeals): one
 * shape for all of them. Which ids may be named (the caller's org's uploads, each once) is the domain's filedEvidence.
 */
export const AttachmentIds = () => applyDecorators(IsOptional(), IsArray(), ArrayMaxSize(MAX_ATTACHMENTS), IsUUID('4', { each: true }));

/** How the document describes it, the same on every such route. */
export const ATTACHMENT_IDS_DOC = {
  description: `Files uploaded by the caller’s org (POST /v1/attachments), at most ${MAX_ATTACHMENTS}; naming one makes it readable by everyone who may see the case`,
  example: ['5f0c2d1e-8a4b-4c3d-9e2f-1a0b9c8d7e6f'],
};

/** The problem an operation that takes `attachmentIds` documents for its 400. */
export const ATTACHMENT_IDS_400 = 'REQUEST.INVALID: invalid body, or an attachmentId that is not an upload of the caller’s org (named by its field)';
