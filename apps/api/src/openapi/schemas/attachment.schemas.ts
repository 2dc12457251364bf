import { ApiProperty } from '@nestjs/swagger';
import { ATTACHMENT_TYPES } from '@chuishao/domain';

/** The answer to an upload: what was stored, and the id a note or completion names it by. */
export class AttachmentUploaded {
  @ApiProperty({ format: 'uuid', description: 'Name it in attachmentIds of a note or completion; GET /v1/attachments/{attachmentId}' }) id!: string;
  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the bytes (the blob is stored once per content)' }) sha256!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Bytes' }) size!: number;
  @ApiProperty({ enum: ATTACHMENT_TYPES, description: 'The type its magic bytes show; the name and the declared type do not count' }) type!: string;
  @ApiProperty({ example: '排污口封堵后.jpg', description: 'The uploaded name, without any path or control characters' }) fileName!: string;
  @ApiProperty({ type: String, format: 'date-time' }) uploadedAt!: string;
}
