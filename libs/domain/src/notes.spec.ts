import { given } from '../test/given-when-then';
import { at, blow, CASE_ID, cmd, commandCentre, deptA, deptB, deptC, history, otherTownship, township } from '../test/fixtures';
import { attachmentIdsOf, foldCase, NOTE_MAX_LENGTH, type Actor, type AttachmentFact, type CaseCommand } from '.';

const assessment: Actor = { orgId: 'assess-a', role: 'assessment_office', userId: 'kao.he', countyId: 'county-a' };

const upload = (id: string, by: Actor, extra: Partial<AttachmentFact> = {}): AttachmentFact => ({
  id,
  sha256: 'ab'.repeat(32),
  size: 2048,
  type: 'image/jpeg',
  fileName: '现场照片.jpg',
  uploadedBy: { orgId: by.orgId, userId: by.userId },
  uploadedAt: at(1),
  ...extra,
});
const note = (by: Actor, minutes: number, text: string, attachmentIds?: string[], uploads: AttachmentFact[] = []): CaseCommand => ({
  ...cmd('AddNote', by, minutes, { text, ...(attachmentIds ? { attachmentIds } : {}) }),
  uploads,
});

describe('notes (coordination record)', () => {
  it('records the township’s note with the files it uploaded, each with hash, size, type, name and uploader', () => {
    const photo = upload('f-1', township);
    given(history(blow()))
      .when(note(township, 5, '已与河长办沟通，明日联合巡查', ['f-1'], [photo]))
      .then([
        {
          type: 'NoteAdded',
          data: {
            caseId: CASE_ID,
            occurredAt: at(5),
            authorOrgId: 'twp-east',
            authorRole: 'township',
            text: '已与河长办沟通，明日联合巡查',
            attachments: [photo],
          },
        },
      ]);
  });

  it('is open to a holding department, a former one and the command centre; a note changes no part', () => {
    const transferred = history(
      blow(),
      cmd('RespondToCase', deptA, 2, {}),
      cmd('TransferCase', deptA, 3, { toDepartmentId: 'dept-c', reason: '职责不在本局' }),
    );
    for (const by of [deptB, deptA, deptC, commandCentre]) {
      const [e] = given(transferred)
        .when(note(by, 10, '已协调'))
        .events();
      expect(e).toMatchObject({ type: 'NoteAdded', data: { authorOrgId: by.orgId, authorRole: by.role, attachments: [] } });
    }
    const before = history(blow());
    const after = history(blow(), note(commandCentre, 4, '请各部门加快'));
    expect(foldCase(after)).toEqual(foldCase(before));
  });

  it('is refused to the assessment office (it only reads) and to a township that did not raise the case', () => {
    given(history(blow()))
      .when(note(assessment, 5, '看一下'))
      .thenThrows('CASE.FORBIDDEN', /assessment_office may not add a note/);
    given(history(blow()))
      .when(note(otherTownship, 5, '看一下'))
      .thenThrows('CASE.FORBIDDEN');
  });

  it('is refused to a department that never held a part', () => {
    given(history(blow(['dept-a'])))
      .when(note(deptB, 5, '看一下'))
      .thenThrows('CASE.FORBIDDEN');
  });

  it('must say something, within the length limit', () => {
    given(history(blow()))
      .when(note(township, 5, ' \u200b\u3000 '))
      .thenThrows('CASE.VALIDATION', /^text:/);
    given(history(blow()))
      .when(note(township, 5, '长'.repeat(NOTE_MAX_LENGTH + 1)))
      .thenThrows('CASE.VALIDATION', /at most 2000 characters/);
    expect(
      given(history(blow()))
        .when(note(township, 5, '长'.repeat(NOTE_MAX_LENGTH)))
        .events(),
    ).toHaveLength(1);
  });

  it('names only the actor org’s own uploads: another org’s upload and an unknown id are refused alike, each by its field', () => {
    const mine = upload('f-1', township);
    const theirs = upload('f-2', deptA);
    let error: unknown;
    try {
      given(history(blow()))
        .when(note(township, 5, '照片', ['f-1', 'f-2', 'f-9'], [mine, theirs]))
        .events();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'CASE.VALIDATION',
      fieldErrors: [
        { field: 'attachmentIds[1]', message: 'f-2 is not an upload of twp-east' },
        { field: 'attachmentIds[2]', message: 'f-9 is not an upload of twp-east' },
      ],
    });
  });

  it('refuses a file named twice and more than ten files', () => {
    const mine = upload('f-1', township);
    given(history(blow()))
      .when(note(township, 5, '照片', ['f-1', 'f-1'], [mine]))
      .thenThrows('CASE.VALIDATION', /f-1 is named twice/);
    const many = Array.from({ length: 11 }, (_, i) => upload(`f-${i}`, township));
    given(history(blow()))
      .when(
        note(
          township,
          5,
          '照片',
          many.map((u) => u.id),
          many,
        ),
      )
      .thenThrows('CASE.VALIDATION', /at most 10 files/);
  });

  it('is not taken on a closed or withdrawn case', () => {
    const withdrawn = history(blow(), cmd('WithdrawCase', township, 3, { reason: '已自行解决' }));
    given(withdrawn)
      .when(note(township, 5, '补充说明'))
      .thenThrows('CASE.INVALID_STATE');
  });
});

describe('evidence on a completion (办结)', () => {
  const reported = () => history(blow(), cmd('RespondToCase', deptA, 2, {}));
  const complete = (attachmentIds: string[] | undefined, uploads: AttachmentFact[] | undefined): CaseCommand => ({
    ...cmd('CompleteHandling', deptA, 30, { result: '已封堵排污口', ...(attachmentIds ? { attachmentIds } : {}) }),
    ...(uploads ? { uploads } : {}),
  });

  it('records the department’s photos on the completion', () => {
    const before = upload('f-b', deptA, { fileName: '整改前.jpg' });
    const after = upload('f-a', deptA, { fileName: '整改后.png', type: 'image/png', sha256: 'cd'.repeat(32) });
    given(reported())
      .when(complete(['f-b', 'f-a'], [after, before]))
      .then([
        {
          type: 'HandlingCompleted',
          data: { caseId: CASE_ID, occurredAt: at(30), partId: 'p1', departmentId: 'dept-a', round: 1, result: '已封堵排污口', attachments: [before, after] },
        },
      ]);
  });

  it('records no attachments field when there are none (as before)', () => {
    const [e] = given(reported()).when(complete(undefined, undefined)).events();
    expect(e.data).not.toHaveProperty('attachments');
  });

  it('refuses a file uploaded by another org, named by its field', () => {
    given(reported())
      .when(complete(['f-t'], [upload('f-t', township)]))
      .thenThrows('CASE.VALIDATION', /f-t is not an upload of dept-a/);
    given(reported())
      .when(complete(['f-x'], undefined))
      .thenThrows('CASE.VALIDATION', /f-x is not an upload of dept-a/);
  });
});

describe('evidence on the moves (延期, 退单, 申诉): the completion’s rule, once', () => {
  const reported = () => history(blow(), cmd('RespondToCase', deptA, 2, {}));
  const reviewed = () =>
    history(
      blow(['dept-a']),
      cmd('RespondToCase', deptA, 2, {}),
      cmd('CompleteHandling', deptA, 30, { result: '已封堵' }),
      cmd('ReviewHandling', township, 40, { departmentId: 'dept-a', resolved: false, satisfaction: 'dissatisfied' }),
    );
  const withFiles = (command: CaseCommand, attachmentIds: string[] | undefined, uploads: AttachmentFact[] | undefined): CaseCommand =>
    ({ ...command, data: { ...command.data, ...(attachmentIds ? { attachmentIds } : {}) }, ...(uploads ? { uploads } : {}) }) as CaseCommand;
  const moves = [
    { event: 'ExtensionRequested', history: reported, command: cmd('RequestExtension', deptA, 50, { reason: '水样送检，等待报告', workingDays: 2 }) },
    { event: 'PartReturned', history: reported, command: cmd('ReturnPart', deptA, 50, { reason: '职能不符', suggestedDepartmentId: 'dept-c' }) },
    { event: 'ReviewAppealed', history: reviewed, command: cmd('AppealReview', deptA, 50, { reason: '评价时整改期限未到' }) },
  ] as const;

  it.each(moves)('$event records the department’s files with hash, size, type, name and uploader, in the order named', ({ event, history: h, command }) => {
    const site = upload('f-s', deptA, { fileName: '现场.jpg' });
    const receipt = upload('f-r', deptA, { fileName: '送检回执.pdf', type: 'application/pdf', sha256: 'ef'.repeat(32), size: 90_000 });
    const [e] = given(h())
      .when(withFiles(command, ['f-r', 'f-s'], [site, receipt]))
      .events();
    expect(e).toMatchObject({ type: event, data: { caseId: CASE_ID, occurredAt: at(50), departmentId: 'dept-a', attachments: [receipt, site] } });
    expect(attachmentIdsOf(e)).toEqual(['f-r', 'f-s']);
  });

  it.each(moves)('$event has no attachments field without files (as before files existed)', ({ history: h, command }) => {
    for (const ids of [undefined, []]) {
      const [e] = given(h())
        .when(withFiles(command, ids, undefined))
        .events();
      expect(e.data).not.toHaveProperty('attachments');
    }
  });

  it.each(moves)('$event refuses another org’s upload, an unknown id, a file named twice and more than ten, each by its field', ({ history: h, command }) => {
    let error: unknown;
    try {
      given(h())
        .when(withFiles(command, ['f-t', 'f-x'], [upload('f-t', township)]))
        .events();
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'CASE.VALIDATION',
      fieldErrors: [
        { field: 'attachmentIds[0]', message: 'f-t is not an upload of dept-a' },
        { field: 'attachmentIds[1]', message: 'f-x is not an upload of dept-a' },
      ],
    });
    given(h())
      .when(withFiles(command, ['f-1', 'f-1'], [upload('f-1', deptA)]))
      .thenThrows('CASE.VALIDATION', /f-1 is named twice/);
    const many = Array.from({ length: 11 }, (_, i) => upload(`f-${i}`, deptA));
    given(h())
      .when(
        withFiles(
          command,
          many.map((u) => u.id),
          many,
        ),
      )
      .thenThrows('CASE.VALIDATION', /^attachmentIds: at most 10 files/);
  });

  it('a move refused by its own rules is refused for them first, whatever the files', () => {
    given(history(blow()))
      .when(withFiles(cmd('RequestExtension', deptA, 50, { reason: '等待报告', workingDays: 2 }), ['f-t'], [upload('f-t', township)]))
      .thenThrows('CASE.INVALID_STATE', /report in first/);
  });
});

describe('attachmentIdsOf: the files an event refers to', () => {
  it('reads the attachments of any event that files them, and nothing from one that does not', () => {
    const photo = upload('f-1', deptA);
    const events = history(
      blow(),
      cmd('RespondToCase', deptA, 2, {}),
      { ...cmd('CompleteHandling', deptA, 30, { result: '已封堵', attachmentIds: ['f-1'] }), uploads: [photo] } as CaseCommand,
      note(township, 40, '收到'),
    );
    expect(events.map((e) => [e.type, attachmentIdsOf(e)])).toEqual([
      ['WhistleBlown', []],
      ['DepartmentResponded', []],
      ['HandlingCompleted', ['f-1']],
      ['NoteAdded', []],
    ]);
  });
});
