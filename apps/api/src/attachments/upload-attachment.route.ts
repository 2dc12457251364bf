import {
  Controller,
  HttpCode,
  HttpException,
  Injectable,
  Post,
  UploadedFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { catchError, type Observable } from 'rxjs';
import type { Request } from 'express';
import { MAX_UPLOAD_BYTES } from '@chuishao/blobs';
import type { Actor } from '@chuishao/domain';
import { CurrentActor } from '../auth/auth.guard';
import { isMultipart } from '../http/body-guards';
import { Problem } from '../http/problem';
import { Attachments } from './attachments.service';

/** The form field the file comes in. */
export const FILE_FIELD = 'file';
/** Room for the multipart boundaries and part headers around the file. */
const ENVELOPE_BYTES = 64 * 1024;
const MB = 1024 * 1024;

/** What multer (memory storage) hands the route. */
interface UploadedPart {
  fieldname: string;
  originalname: string;
  size: number;
  buffer: Buffer;
}

const tooLarge = () =>
  new Problem(413, 'REQUEST.TOO_LARGE', 'Payload too large', `file: at most ${MAX_UPLOAD_BYTES / MB} MB (photos 10 MB, PDFs 20 MB)`, [
    { field: FILE_FIELD, message: `at most ${MAX_UPLOAD_BYTES / MB} MB` },
  ]);

/**
 * Around multer: a declared length over the limit is refused before a byte is read, and multer's and busboy's own
 * refusals (a second file, a text field, a cut-off body) become problems naming the field; none is a 500.
 */
@Injectable()
export class UploadProblems implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    if (!isMultipart(req)) {
      const type = req.headers['content-type'];
      throw new Problem(
        415,
        'REQUEST.UNSUPPORTED_MEDIA_TYPE',
        'Unsupported media type',
        `the body is ${type ? type.split(';')[0] : 'of no declared type'}; send multipart/form-data with one file in the field "${FILE_FIELD}"`,
      );
    }
    if (Number(req.headers['content-length'] ?? 0) > MAX_UPLOAD_BYTES + ENVELOPE_BYTES) throw tooLarge();
    return next.handle().pipe(
      catchError((error: unknown) => {
        if (error instanceof Problem) throw error;
        const status = error instanceof HttpException ? error.getStatus() : 400;
        if (status === 413) throw tooLarge();
        if (status >= 500 && !(error instanceof HttpException)) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw Problem.badRequest(`the multipart body was refused (${message}); send exactly one file, in the field "${FILE_FIELD}"`, [
          { field: FILE_FIELD, message: 'send exactly one file in this field and nothing else' },
        ]);
      }),
    );
  }
}

@Controller('v1/attachments')
export class UploadAttachmentRoute {
  constructor(private readonly attachments: Attachments) {}

  /** 现场照片 and documents: stored once per content, typed by their bytes; not visible to others until a case refers to them. */
  @Post()
  @HttpCode(201)
  @UseInterceptors(
    UploadProblems,
    FileInterceptor(FILE_FIELD, {
      // No storage given: multer keeps the file in memory. At most the largest type's limit is ever buffered (busboy stops at fileSize + 1); one part, the file.
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 0, headerPairs: 20, fieldNameSize: 100 },
    }),
  )
  async upload(@CurrentActor() actor: Actor, @UploadedFile() file: UploadedPart | undefined) {
    if (!file)
      throw Problem.badRequest(`${FILE_FIELD}: send one file as multipart/form-data in the field "${FILE_FIELD}"`, [
        { field: FILE_FIELD, message: 'required' },
      ]);
    if (file.size === 0) throw Problem.badRequest(`${FILE_FIELD}: the file is empty`, [{ field: FILE_FIELD, message: 'the file is empty' }]);
    const { id, sha256, size, type, fileName, uploadedAt } = await this.attachments.upload(actor, file.buffer, file.originalname);
    return { id, sha256, size, type, fileName, uploadedAt };
  }
}
