/**
 * What Lectern tells an LMS about itself, built from PUBLIC_URL in one place: the Canvas configuration
 * (served at /lti/canvas.json and written to lti-config/ as documentation), the Moodle form values, the
 * endpoint list, and the description every one of them carries. Pure.
 *
 * Checked against Canvas's own code and documentation (instructure/canvas-lms):
 * - lib/schemas/lti_configuration.rb: the JSON Canvas reads from "Enter URL"/"Paste JSON" requires title,
 *   description, target_link_uri, oidc_initiation_url and an extension with platform + settings.placements;
 *   lib/schemas/internal_lti_configuration.rb: placement fields (visibility admins|members|public,
 *   default enabled|disabled, selection_width/height as numbers, message_type per placement).
 * - app/models/lti/tool_configuration.rb: a configuration URL must answer `application/json`; the redirect
 *   URIs are not part of Canvas's JSON schema (the developer key's *Redirect URIs* field; recent Canvas
 *   fills it with the target link URI when left empty, older Canvas refuses the key without it). We carry
 *   `redirect_uris` in the JSON too (Canvas ignores what it does not read) so the value is written down.
 * - doc/api/canvas_roles.md and doc/api/registration.md (privacy_level public|name_only|email_only|anonymous).
 */

export const LTI_SCOPES = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  membership: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

/** The LTI Advantage scopes Lectern uses: line items and scores (quiz and attendance grades), the roster. */
export const TOOL_SCOPES: readonly string[] = Object.values(LTI_SCOPES);

/** The claims Lectern needs: who the person is, to show their name and mail their attendance notes. */
export const TOOL_CLAIMS = ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'] as const;

export interface ToolEndpoints {
  /** OIDC login initiation (GET and POST). */
  login: string;
  /** The launch: target link URI and the only redirect URI. */
  launch: string;
  /** The tool's public keys. */
  jwks: string;
  /** Dynamic Registration (needs an invite from the admin console). */
  register: string;
  /** The Canvas configuration URL (Canvas: Developer Keys → LTI Key → Method "Enter URL"). */
  canvasConfiguration: string;
  icon: string;
}

export function toolEndpoints(publicUrl: string): ToolEndpoints {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    login: `${base}/lti/login`,
    launch: `${base}/lti`,
    jwks: `${base}/lti/keys`,
    register: `${base}/lti/register`,
    canvasConfiguration: `${base}/lti/canvas.json`,
    icon: `${base}/favicon.ico`,
  };
}

/**
 * The features an LMS admin is told about, each with the backend module that serves it: the description
 * names only features whose module the application loads (lti-config.spec.ts checks it against AppModule).
 */
export const ADVERTISED_FEATURES: ReadonlyArray<{ text: string; module: string }> = [
  { text: 'live video and audio', module: 'MediaModule' },
  { text: 'whiteboard', module: 'WhiteboardModule' },
  { text: 'chat', module: 'ChatModule' },
  { text: 'live quizzes and polls', module: 'QuizModule' },
  { text: 'attendance', module: 'AttendanceModule' },
];

export function toolDescription(features = ADVERTISED_FEATURES): string {
  return (
    `Live virtual classroom: ${features.map((f) => f.text).join(', ')}. ` +
    'Quiz and attendance grades post to the gradebook; the roster syncs.'
  );
}

export const TOOL_TITLE = 'Lectern';
/** The text of the deep-linking entries (Modules → External tool, Assignment → External tool). */
export const DEEP_LINK_LABEL = 'Lectern live class';
/** The deep-linking dialog: room for the classroom-creation form without scrolling on a laptop. */
export const SELECTION_SIZE = { width: 800, height: 600 } as const;

/** Canvas's manual configuration (the JSON of "Enter URL" and "Paste JSON"). */
export function canvasConfiguration(publicUrl: string): Record<string, unknown> {
  const e = toolEndpoints(publicUrl);
  const deepLink = (placement: string) => ({
    placement,
    message_type: 'LtiDeepLinkingRequest',
    target_link_uri: e.launch,
    text: DEEP_LINK_LABEL,
    icon_url: e.icon,
    selection_width: SELECTION_SIZE.width,
    selection_height: SELECTION_SIZE.height,
  });
  return {
    title: TOOL_TITLE,
    description: toolDescription(),
    oidc_initiation_url: e.login,
    target_link_uri: e.launch,
    redirect_uris: [e.launch],
    public_jwk_url: e.jwks,
    scopes: [...TOOL_SCOPES],
    extensions: [
      {
        platform: 'canvas.instructure.com',
        domain: new URL(e.launch).host,
        tool_id: 'lectern',
        // Names and email: the classroom shows names, attendance notes are mailed.
        privacy_level: 'public',
        settings: {
          text: TOOL_TITLE,
          icon_url: e.icon,
          placements: [
            {
              placement: 'course_navigation',
              message_type: 'LtiResourceLinkRequest',
              target_link_uri: e.launch,
              text: TOOL_TITLE,
              icon_url: e.icon,
              default: 'enabled',
              // Course members only (public would show the link to anyone who may view the course).
              visibility: 'members',
            },
            deepLink('link_selection'),
            deepLink('assignment_selection'),
          ],
        },
      },
    ],
    custom_fields: {},
  };
}

/**
 * Moodle's "configure a tool manually" form, field by field (mod/lti/edit_form.php labels), for Moodle 4.x.
 * `Accept grades from the tool: Always` and `Tool configuration usage: activity chooser` are what a
 * manual registration should pick; Moodle's dynamic registration picks other values (see the README).
 */
export function moodleToolSettings(publicUrl: string): Record<string, unknown> {
  const e = toolEndpoints(publicUrl);
  return {
    _comment:
      'What to enter in Moodle: Site administration > Plugins > Activity modules > External tool > Manage tools > configure a tool manually. Generated by npm run lti:config for https://lectern.example.edu: use your PUBLIC_URL.',
    'Tool name': TOOL_TITLE,
    'Tool URL': e.launch,
    'Tool description': toolDescription(),
    'LTI version': 'LTI 1.3',
    'Client ID': '(filled in by Moodle)',
    'Public key type': 'Keyset URL',
    'Public keyset': e.jwks,
    'Initiate login URL': e.login,
    'Redirection URI(s)': e.launch,
    'Supports Deep Linking (Content-Item Message)': 'yes',
    'Content Selection URL': e.launch,
    'Tool configuration usage': 'Show in activity chooser and as a preconfigured tool',
    'Default launch container': 'Embed, without blocks',
    Services: {
      'IMS LTI Assignment and Grade Services': 'Use this service for grade sync and column management',
      'IMS LTI Names and Role Provisioning':
        "Use this service to retrieve members' information as per privacy settings",
      'Tool Settings': 'Do not use this service',
    },
    Privacy: {
      "Share launcher's name with tool": 'Always',
      "Share launcher's email with tool": 'Always',
      'Accept grades from the tool': 'Always',
    },
  };
}

/** The endpoint list (lti-config/endpoints.json). The registration URL needs an invite: it is not usable bare. */
export function endpointsDocument(publicUrl: string): Record<string, unknown> {
  const e = toolEndpoints(publicUrl);
  return {
    _comment:
      "The tool's LTI 1.3 endpoints. Generated by npm run lti:config for https://lectern.example.edu: use your PUBLIC_URL.",
    title: TOOL_TITLE,
    description: toolDescription(),
    oidc_initiation_url: e.login,
    target_link_uri: e.launch,
    redirect_uris: [e.launch],
    public_jwk_url: e.jwks,
    login_methods: ['GET', 'POST'],
    message_types: ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
    canvas_configuration_url: e.canvasConfiguration,
    dynamic_registration_url: `${e.register}?invite=<made by the admin console: Registration invites, valid 7 days, used once>`,
    claims: [...TOOL_CLAIMS],
    scopes: [...TOOL_SCOPES],
  };
}

/** The host the files in lti-config/ are written for (an admin replaces it, or uses the served URL). */
export const EXAMPLE_PUBLIC_URL = 'https://lectern.example.edu';

/** The files of lti-config/ as they are generated (`npm run lti:config`), by file name. */
export function ltiConfigFiles(publicUrl = EXAMPLE_PUBLIC_URL): Record<string, string> {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'canvas-developer-key.json': json(canvasConfiguration(publicUrl)),
    'moodle-tool-settings.json': json(moodleToolSettings(publicUrl)),
    'endpoints.json': json(endpointsDocument(publicUrl)),
  };
}
