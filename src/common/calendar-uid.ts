/**
 * iCalendar UIDs, shared by the consultation calendar feed and the invitations in notice emails:
 * built from the row ids, so a calendar sees the same event (moved, renamed or cancelled) whether
 * it came from the feed or from an invitation, never a duplicate.
 */
export const UID_DOMAIN = 'workforce-transition-tracker';
export const milestoneUid = (id: string) => `milestone-${id}@${UID_DOMAIN}`;
export const meetingUid = (id: string) => `forum-meeting-${id}@${UID_DOMAIN}`;
export const consultationStartUid = (id: string) => `consultation-${id}-start@${UID_DOMAIN}`;
