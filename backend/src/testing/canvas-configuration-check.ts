/**
 * The fields Canvas requires of a manual LTI 1.3 configuration (the JSON of "Enter URL"/"Paste JSON"),
 * written from instructure/canvas-lms lib/schemas/lti_configuration.rb (required: title, description,
 * target_link_uri, oidc_initiation_url; an extension with platform and settings.placements),
 * lib/schemas/internal_lti_configuration.rb (placement fields and their enums; redirect_uris at least one),
 * app/models/lti/tool_configuration.rb (public_jwk or public_jwk_url) and Lti::ResourcePlacement (which
 * message types a placement accepts), plus what Lectern needs of it: its own endpoints, its scopes, the
 * placements that make it usable (course navigation for members, deep linking from Modules and
 * Assignments) and the public privacy level (names and email). Returns the problems, empty when none.
 */
import { TOOL_SCOPES, toolEndpoints } from '../lti/domain/tool-configuration';

const PRIVACY_LEVELS = ['anonymous', 'name_only', 'email_only', 'public'];
const VISIBILITY = ['admins', 'members', 'public'];
/** Message types per placement, for the placements this check knows (Lti::ResourcePlacement). */
const MESSAGE_TYPES: Record<string, string[]> = {
  course_navigation: ['LtiResourceLinkRequest'],
  link_selection: ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
  assignment_selection: ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
};

type Json = Record<string, any>;

export function canvasConfigurationProblems(c: Json, publicUrl: string): string[] {
  const e = toolEndpoints(publicUrl);
  const p: string[] = [];
  for (const f of ['title', 'description', 'target_link_uri', 'oidc_initiation_url'])
    if (typeof c[f] !== 'string' || !c[f]) p.push(`${f} is required`);
  if (c.target_link_uri !== e.launch) p.push(`target_link_uri must be ${e.launch}`);
  if (c.oidc_initiation_url !== e.login) p.push(`oidc_initiation_url must be ${e.login}`);
  if (c.public_jwk_url !== e.jwks) p.push(`public_jwk_url must be ${e.jwks}`);
  if (!Array.isArray(c.redirect_uris) || !c.redirect_uris.includes(e.launch))
    p.push(`redirect_uris must hold ${e.launch} (Canvas refuses a launch whose redirect_uri is not listed)`);
  if (!Array.isArray(c.scopes) || [...c.scopes].sort().join() !== [...TOOL_SCOPES].sort().join())
    p.push(`scopes must be ${TOOL_SCOPES.join(', ')}`);
  const ext = Array.isArray(c.extensions)
    ? c.extensions.find((x: Json) => x?.platform === 'canvas.instructure.com')
    : null;
  if (!ext) return [...p, 'extensions must hold the canvas.instructure.com extension'];
  if (!PRIVACY_LEVELS.includes(ext.privacy_level) || ext.privacy_level !== 'public')
    p.push('privacy_level must be public (names and email)');
  const placements: Json[] = Array.isArray(ext.settings?.placements) ? ext.settings.placements : [];
  if (!placements.length) p.push('settings.placements is required');
  for (const pl of placements) {
    const allowed = MESSAGE_TYPES[pl.placement];
    if (!allowed) p.push(`placement ${pl.placement} is not one this check knows`);
    else if (!allowed.includes(pl.message_type)) p.push(`placement ${pl.placement} does not accept ${pl.message_type}`);
    if (pl.target_link_uri !== e.launch) p.push(`placement ${pl.placement}: target_link_uri must be ${e.launch}`);
    if (pl.visibility !== undefined && !VISIBILITY.includes(pl.visibility))
      p.push(`placement ${pl.placement}: visibility must be one of ${VISIBILITY.join(', ')}`);
    for (const f of ['selection_width', 'selection_height'])
      if (pl[f] !== undefined && typeof pl[f] !== 'number') p.push(`placement ${pl.placement}: ${f} must be a number`);
  }
  const find = (name: string) => placements.find((x) => x.placement === name);
  const nav = find('course_navigation');
  if (nav?.message_type !== 'LtiResourceLinkRequest')
    p.push('course_navigation must be there, as LtiResourceLinkRequest');
  else if (nav.visibility !== 'members') p.push('course_navigation must be visible to members');
  for (const name of ['link_selection', 'assignment_selection']) {
    const pl = find(name);
    if (pl?.message_type !== 'LtiDeepLinkingRequest') p.push(`${name} must be there, as LtiDeepLinkingRequest`);
    else if (!(pl.selection_width > 0 && pl.selection_height > 0)) p.push(`${name} needs a selection width and height`);
  }
  return p;
}
