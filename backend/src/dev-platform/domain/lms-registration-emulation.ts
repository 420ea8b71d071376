/**
 * The dev LMS can answer Dynamic Registration as Canvas or as Moodle would, so the tool's registration is
 * tested against what each makes of it. An emulation of the parts Lectern depends on, written from their
 * sources (no code taken), not the real thing:
 * - Canvas (instructure/canvas-lms): the OpenID configuration lists `messages_supported` as objects with
 *   placements and is fetched with the registration token as bearer (doc/api/registration.md);
 *   app/models/lti/ims/registration.rb turns each message into placements: none given → `link_selection`;
 *   IMS names `ContentArea` → link_selection and `RichTextEditor` → editor_button; the
 *   `https://canvas.instructure.com/lti/` prefix dropped; names Canvas does not know dropped; one placement
 *   per name (the first wins); visibility, course-navigation default and launch_width/height from the
 *   message's Canvas extensions; the privacy level from the privacy_level claim, else inferred from `claims`.
 * - Moodle (moodle/moodle mod/lti/openid-configuration.php, registration_helper.php::registration_to_config):
 *   `messages_supported` as strings; a registration becomes a preconfigured tool, "accept grades" delegated
 *   to the teacher when any AGS scope is asked, deep linking on when an LtiDeepLinkingRequest message is
 *   present, launch container "embed without blocks", name/email sent always when those claims are asked.
 * Pure; development and tests only.
 */

export type EmulatedFamily = 'canvas' | 'moodle';

export const isEmulatedFamily = (v: unknown): v is EmulatedFamily => v === 'canvas' || v === 'moodle';

const CANVAS_EXT = 'https://canvas.instructure.com/lti/';

/** The placements this emulation knows, by message type (a subset of Canvas's list). */
export const CANVAS_PLACEMENTS: Record<string, string[]> = {
  LtiResourceLinkRequest: [
    'course_navigation',
    'account_navigation',
    'user_navigation',
    'link_selection',
    'assignment_selection',
    'module_menu',
  ],
  LtiDeepLinkingRequest: ['link_selection', 'assignment_selection', 'editor_button', 'homework_submission'],
};

export interface CanvasPlacement {
  placement: string;
  message_type: string;
  target_link_uri: string | undefined;
  text: string | undefined;
  visibility?: string;
  default?: 'disabled';
  selection_width?: number;
  selection_height?: number;
}

const canvasName = (p: string) =>
  p === 'ContentArea' ? 'link_selection' : p === 'RichTextEditor' ? 'editor_button' : p.replace(CANVAS_EXT, '');

const known = new Set(Object.values(CANVAS_PLACEMENTS).flat());

type Msg = Record<string, unknown>;

/** The placements Canvas would make of a registration's messages. */
export function canvasPlacements(registration: Record<string, unknown>): CanvasPlacement[] {
  const conf = (registration['https://purl.imsglobal.org/spec/lti-tool-configuration'] ?? {}) as Msg;
  const messages = Array.isArray(conf.messages) ? (conf.messages as Msg[]) : [];
  const out: CanvasPlacement[] = [];
  for (const m of messages) {
    const names = Array.isArray(m.placements) && m.placements.length ? (m.placements as string[]) : ['link_selection'];
    for (const raw of names) {
      const placement = canvasName(raw);
      if (!known.has(placement) || out.some((p) => p.placement === placement)) continue;
      const visibility = m[`${CANVAS_EXT}visibility`];
      const width = Number(m[`${CANVAS_EXT}launch_width`]);
      const height = Number(m[`${CANVAS_EXT}launch_height`]);
      out.push({
        placement,
        message_type: String(m.type),
        target_link_uri: typeof m.target_link_uri === 'string' ? m.target_link_uri : undefined,
        text: typeof m.label === 'string' ? m.label : undefined,
        ...(typeof visibility === 'string' && ['admins', 'members', 'public'].includes(visibility)
          ? { visibility }
          : {}),
        ...(placement === 'course_navigation' && m[`${CANVAS_EXT}course_navigation/default_enabled`] === false
          ? { default: 'disabled' as const }
          : {}),
        ...(Number.isFinite(width) && width > 0 ? { selection_width: width } : {}),
        ...(Number.isFinite(height) && height > 0 ? { selection_height: height } : {}),
      });
    }
  }
  return out;
}

/** The privacy level Canvas would give the tool. */
export function canvasPrivacyLevel(registration: Record<string, unknown>): string {
  const conf = (registration['https://purl.imsglobal.org/spec/lti-tool-configuration'] ?? {}) as Msg;
  const explicit = conf[`${CANVAS_EXT}privacy_level`];
  if (typeof explicit === 'string') return explicit;
  const claims = Array.isArray(conf.claims) ? (conf.claims as string[]) : [];
  const name = ['name', 'given_name', 'family_name'].some((c) => claims.includes(c));
  const email = claims.includes('email');
  if (claims.includes('picture') || (name && email)) return 'public';
  return name ? 'name_only' : email ? 'email_only' : 'anonymous';
}

export interface MoodleTool {
  coursevisible: 'preconfigured' | 'activity chooser';
  acceptgrades: 'never' | 'delegate to teacher';
  contentitem: boolean;
  launchcontainer: 'embed without blocks';
  sendname: 'never' | 'always';
  sendemailaddr: 'never' | 'always';
}

/** The tool type Moodle would make of a registration. */
export function moodleTool(registration: Record<string, unknown>): MoodleTool {
  const conf = (registration['https://purl.imsglobal.org/spec/lti-tool-configuration'] ?? {}) as Msg;
  const scopes = typeof registration.scope === 'string' ? registration.scope.split(' ') : [];
  const claims = Array.isArray(conf.claims) ? (conf.claims as string[]) : [];
  const messages = Array.isArray(conf.messages) ? (conf.messages as Msg[]) : [];
  return {
    coursevisible: 'preconfigured',
    acceptgrades: scopes.some((s) => s.startsWith('https://purl.imsglobal.org/spec/lti-ags/scope/'))
      ? 'delegate to teacher'
      : 'never',
    contentitem: messages.some((m) => m.type === 'LtiDeepLinkingRequest'),
    launchcontainer: 'embed without blocks',
    sendname: ['name', 'given_name', 'family_name'].some((c) => claims.includes(c)) ? 'always' : 'never',
    sendemailaddr: claims.includes('email') ? 'always' : 'never',
  };
}

/** The `https://purl.imsglobal.org/spec/lti-platform-configuration` of each family, as the emulation sends it. */
export function emulatedPlatformConfiguration(family: EmulatedFamily): Record<string, unknown> {
  if (family === 'moodle') {
    return {
      product_family_code: 'moodle',
      version: '4.5 (dev LMS emulation)',
      messages_supported: ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
      placements: ['AddContentMenu'],
    };
  }
  return {
    product_family_code: 'canvas',
    version: 'vCloud (dev LMS emulation)',
    messages_supported: Object.entries(CANVAS_PLACEMENTS).map(([type, placements]) => ({ type, placements })),
  };
}
