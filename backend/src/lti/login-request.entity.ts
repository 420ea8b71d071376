import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The login request Lectern made for a launch (OIDC third-party initiated login): the state and
 * nonce it sent, so the launch can be checked against them, used once, and bound to the browser.
 */
@Entity('lti_login_request')
export class LoginRequestRow {
  @PrimaryColumn() state: string;
  @Column() nonce: string;
  @Column() issuer: string;
  @Column({ name: 'client_id' }) clientId: string;
  @Column({ name: 'login_hint' }) loginHint: string;
  @Column({ name: 'lti_message_hint', type: 'text', nullable: true }) ltiMessageHint: string | null;
  @Column({ name: 'target_link_uri' }) targetLinkUri: string;
  @Column({ name: 'deployment_id', type: 'text', nullable: true }) deploymentId: string | null;
  /** Set when the platform offered LTI client-side storage (lti_storage_target). */
  @Column({ name: 'storage_target', type: 'text', nullable: true }) storageTarget: string | null;
  @Column({ name: 'platform_origin' }) platformOrigin: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true }) consumedAt: Date | null;
}
