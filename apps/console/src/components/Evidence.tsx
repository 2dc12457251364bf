import { Button, Space, Upload, type UploadFile } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { useEffect, useState } from 'react';
import { ApiError, api, type Schemas } from '../api/client';
import { useI18n } from '../i18n';

export type AttachmentRef = Schemas['AttachmentRefData'];
type Uploaded = Schemas['AttachmentUploaded'];

/** POST /v1/attachments (multipart, field `file`) through the typed client, so the bearer and the 401 handling apply. */
export async function uploadAttachment(file: File): Promise<Uploaded> {
  const { data, error, response } = await api.POST('/v1/attachments', {
    body: { file: '' },
    bodySerializer: () => {
      const form = new FormData();
      form.append('file', file);
      return form;
    },
  });
  if (!response.ok || !data) throw new ApiError((error ?? {}) as never, response.status);
  return data;
}

/**
 * Photos (or a PDF) for a note, a completion, an extension request, a return or an appeal: each file is uploaded as soon as it is picked; the form value is the
 * ids of the finished uploads, in order. `onBusy` says whether an upload is still running (the form waits for it).
 */
export function EvidenceUpload({
  value,
  onChange,
  onBusy,
  id,
}: {
  value?: string[];
  onChange?: (ids: string[]) => void;
  onBusy?: (uploading: boolean) => void;
  id?: string;
}) {
  const { t } = useI18n();
  const [files, setFiles] = useState<UploadFile<Uploaded>[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a cleared form value (after a submit) empties the list
  useEffect(() => {
    if (!value?.length && files.some((f) => f.status === 'done')) setFiles([]);
  }, [value]);
  return (
    <Upload<Uploaded>
      id={id}
      accept="image/jpeg,image/png,image/webp,application/pdf"
      multiple
      maxCount={10}
      listType="picture"
      fileList={files}
      data-testid="evidence-upload"
      customRequest={({ file, onSuccess, onError }) => {
        uploadAttachment(file as File).then(
          (up) => onSuccess?.(up),
          (e: Error) => onError?.(e),
        );
      }}
      onChange={({ fileList }) => {
        setFiles(fileList);
        onBusy?.(fileList.some((f) => f.status === 'uploading'));
        onChange?.(fileList.filter((f) => f.status === 'done' && f.response).map((f) => f.response!.id));
      }}
    >
      <Button icon={<UploadOutlined />}>{t('上传照片')}</Button>
    </Upload>
  );
}

/** GET /v1/attachments/{id} needs the bearer: fetched as a blob and shown through an object URL. */
function useAttachmentUrl(id: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let revoked = false;
    let made: string | null = null;
    void api.GET('/v1/attachments/{attachmentId}', { params: { path: { attachmentId: id } }, parseAs: 'blob' }).then(({ data, response }) => {
      if (revoked || !response.ok || !(data instanceof Blob)) return;
      made = URL.createObjectURL(data);
      setUrl(made);
    });
    return () => {
      revoked = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [id]);
  return url;
}

function Evidence({ file }: { file: AttachmentRef }) {
  const url = useAttachmentUrl(file.id);
  const image = file.type.startsWith('image/');
  return (
    <a
      href={url ?? undefined}
      download={image ? undefined : file.fileName}
      target={image ? '_blank' : undefined}
      rel="noreferrer"
      data-testid="attachment-link"
      title={file.fileName}
    >
      {image ? (
        url ? (
          <img
            src={url}
            alt={file.fileName}
            data-testid="attachment-image"
            style={{ width: 96, height: 96, objectFit: 'cover', border: '1px solid #d9d9d9', borderRadius: 4 }}
          />
        ) : (
          <span role="img" style={{ display: 'inline-block', width: 96, height: 96, background: '#f5f5f5' }} aria-label={file.fileName} />
        )
      ) : (
        file.fileName
      )}
    </a>
  );
}

/** The files an event filed (note, completion, extension request, return, appeal): image thumbnails, other files as links. */
export function EvidenceList({ files }: { files?: AttachmentRef[] }) {
  if (!files?.length) return null;
  return (
    <Space wrap style={{ marginTop: 4 }} data-testid="attachments">
      {files.map((f) => (
        <Evidence key={f.id} file={f} />
      ))}
    </Space>
  );
}
