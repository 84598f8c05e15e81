/**
 * Options of `rollOnChange` ({@link AppDatabaseSecret.rollOnChange},
 * {@link ExternalDatabaseSecret.rollOnChange}): how a workload follows its database Secret.
 *
 * The workload gets Stakater Reloader's annotation `secret.reloader.stakater.com/reload: <Secret>`,
 * so Reloader (https://github.com/stakater/Reloader, which must be installed in the cluster, e.g.
 * `helm install reloader stakater/reloader`) rolls its pods whenever that Secret changes: after a
 * rotation, after an ExternalSecret refresh that brought a new password, or after the Secret was
 * recreated and the init Job filled in a new password.
 *
 * Why an operator: the password is generated or copied inside the cluster, so nothing in the
 * manifest changes when it does. A checksum annotation of the Secret on the pod template (the
 * usual operator-free trick) would hash only the manifest's non-secret keys and never change on a
 * rotation; rolling the workload from the rotation Job would need RBAC on every Deployment and
 * would not see an ExternalSecret refresh.
 */
export interface RollOnChangeOptions {
  /**
   * The longest a rollout of the workload takes, in seconds: from Reloader seeing the changed
   * Secret until no pod holds the previous credentials (for a Deployment, its
   * `progressDeadlineSeconds` per stalled step, times the steps its surge allows). It is checked at
   * synth time against the rotation: the Secret's refresh plus the rollout must be shorter than the
   * time the previous credentials stay valid (one rotation interval with alternating users).
   *
   * @default 600
   */
  readonly rolloutSeconds?: number;
}
