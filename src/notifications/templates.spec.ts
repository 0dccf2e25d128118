import { DomainEventType } from '../events/domain-event';
import { formatDate, formatDateTime, renderNotice, withoutPersonalData } from './templates';

const at = new Date('2017-02-10T09:00:00Z');

describe('notice templates', () => {
  it('formats dates the UK way and instants in London time (GMT and BST)', () => {
    expect(formatDate('2017-04-01')).toBe('Saturday 1 April 2017');
    expect(formatDateTime('2017-01-10T10:00:00Z')).toBe('Tue 10 Jan 2017, 10:00 GMT');
    expect(formatDateTime('2017-06-10T10:00:00Z')).toBe('Sat 10 Jun 2017, 11:00 BST');
  });

  it('names the old and new grade and the destination of every staff movement, for every audience', () => {
    const input = {
      type: DomainEventType.CaseStateChanged,
      occurredAt: at,
      programmeName: 'Manchester 2017',
      data: { fromState: 'agreed', toState: 'letters_issued', oldGrade: 'G9', newGrade: 'Band 7', destination: 'Manchester CCG', employeeName: 'Priya Testperson', staffNumber: 'S1' },
    };
    for (const personal of [true, false]) {
      const n = renderNotice(input, { personal });
      expect(n.subject).toBe('[Manchester 2017] Case letters issued (G9 → Band 7, Manchester CCG)');
      expect(n.text).toContain('Old grade: G9\nNew grade: Band 7\nDestination: Manchester CCG');
      expect(n.html).toContain('<th align="left" style="padding-right:12px">New grade</th><td>Band 7</td>');
      expect(n.text.includes('Priya Testperson')).toBe(personal);
      expect(n.html.includes('S1<')).toBe(personal);
    }
  });

  it('says what it does not know instead of leaving a grade or destination out', () => {
    const n = renderNotice({ type: DomainEventType.CaseStateChanged, occurredAt: at, programmeName: null, data: { toState: 'proposed' } }, { personal: true });
    expect(n.text).toContain('Old grade: not recorded\nNew grade: not recorded (unchanged)\nDestination: not yet decided');
  });

  it('escapes HTML and keeps the subject on one line', () => {
    const n = renderNotice(
      { type: DomainEventType.ForumMeetingScheduled, occurredAt: at, programmeName: null, data: { title: '<b>Forum</b>\r\nBcc: x@y', location: 'Room "A" & B' } },
      { personal: false },
    );
    expect(n.subject).toBe('Forum meeting scheduled: <b>Forum</b> Bcc: x@y');
    expect(n.html).toContain('&lt;b&gt;Forum&lt;/b&gt;');
    expect(n.html).toContain('Room &quot;A&quot; &amp; B');
  });

  it('words reminders by the days left', () => {
    const subject = (daysLeft: number) =>
      renderNotice({ type: DomainEventType.MilestoneUpcoming, occurredAt: at, programmeName: null, data: { title: 'HR1 notice', dueDate: '2017-02-11', daysLeft } }, { personal: true }).subject;
    expect(subject(0)).toBe('Reminder: HR1 notice is due today (Saturday 11 February 2017)');
    expect(subject(1)).toBe('Reminder: HR1 notice is due tomorrow (Saturday 11 February 2017)');
    expect(subject(14)).toBe('Reminder: HR1 notice is due in 14 days (Saturday 11 February 2017)');
  });

  it('strips personal fields at any depth', () => {
    expect(withoutPersonalData({ title: 't', employeeName: 'x', items: [{ staffNumber: 's', dueDate: 'd' }] })).toEqual({ title: 't', items: [{ dueDate: 'd' }] });
  });
});
