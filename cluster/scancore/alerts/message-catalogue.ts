/**
 * The texts of alert e-mails, per language. A message key names one template; `{name}` in a
 * template is replaced by the alert's variable `name`. English is complete; another language is a
 * catalogue of the same shape holding the keys it translates (any it lacks fall back to English).
 */
export type Catalogue = Readonly<Record<string, string>>;

export const english: Catalogue = Object.freeze({
  // The language's own name, as a recipient choosing it reads it.
  'language.name': 'English',
  // Words of the e-mail itself.
  'mail.level.critical': 'Critical',
  'mail.level.warning': 'Warning',
  'mail.level.notice': 'Notice',
  'mail.level.info': 'Info',
  'mail.subject.set': '[{level}] {host}: {message}',
  'mail.subject.clear': '[Cleared] {host}: {message}',
  'mail.subject.test': 'Striker test e-mail',
  'mail.field.level': 'Level',
  'mail.field.host': 'Host',
  'mail.field.source': 'Source',
  'mail.field.raised': 'Raised at',
  'mail.field.cleared': 'Cleared at',
  'mail.footer': 'Sent by Striker. No reply is expected: Striker acts on its own and tells you what it did.',
  // A test e-mail.
  'alert.test': 'This is a test e-mail from Striker, sent to {recipient} through {relay}. If you can read it, alert e-mails reach you.',
  // Anything without its own template.
  'alert.generic': '{message}',
  // ScanCore conditions.
  'scancore.ipmi.fan_failed': 'Fan {sensor} has failed ({value} RPM, minimum {minimum} RPM).',
  'scancore.ipmi.fan_restored': 'Fan {sensor} is working again ({value} RPM).',
  'scancore.ipmi.temperature_high': 'Temperature {sensor} is {value} °C, above the limit of {limit} °C.',
  'scancore.ipmi.temperature_normal': 'Temperature {sensor} is back to {value} °C.',
  'scancore.ups.on_battery': 'UPS {ups} is running on battery ({charge}% charged, {runtime} s left).',
  'scancore.ups.on_mains': 'UPS {ups} is back on mains power.',
  'scancore.ups.low_battery': 'UPS {ups} is low on battery ({charge}% charged, {runtime} s left).',
  'scancore.storage.array_degraded': 'Array {array} is degraded: {detail}.',
  'scancore.storage.array_restored': 'Array {array} is healthy again.',
  'scancore.link.down': 'Network link {link} is down.',
  'scancore.link.up': 'Network link {link} is up again.',
  // A node's health conditions (cluster/scancore/health-conditions.ts), `{detail}` is what the reading said.
  'scancore.condition.array_degraded': 'RAID array {subject} on {node} is degraded: {detail}.',
  'scancore.condition.array_rebuilding': 'RAID array {subject} on {node} is rebuilding: {detail}.',
  'scancore.condition.drbd_disk_failed': 'Replicated storage {subject} on {node} has no usable local disk: {detail}.',
  'scancore.condition.drbd_disk_syncing': 'Replicated storage {subject} on {node} is not up to date: {detail}.',
  'scancore.condition.disk_failing': 'Disk {subject} on {node} fails its SMART check: {detail}.',
  'scancore.condition.disk_sectors': 'Disk {subject} on {node} has reallocated or pending sectors: {detail}.',
  'scancore.condition.fan_failed': 'Fan {subject} on {node} has failed: {detail}.',
  'scancore.condition.fan_warning': 'Fan {subject} on {node} is slow: {detail}.',
  'scancore.condition.temperature_critical': 'Temperature {subject} on {node} is critical: {detail}.',
  'scancore.condition.temperature_warning': 'Temperature {subject} on {node} is high: {detail}.',
  'scancore.condition.sensor_critical': 'Sensor {subject} on {node} is critical: {detail}.',
  'scancore.condition.sensor_warning': 'Sensor {subject} on {node} is out of its normal range: {detail}.',
  'scancore.condition.link_down': 'Network link {subject} on {node} has been down for more than 60 s: {detail}.',
  'scancore.condition.bond_down': 'Every member of bond {subject} on {node} has been down for more than 60 s: {detail}.',
  'scancore.condition.bond_degraded': 'A member of bond {subject} on {node} has been down for more than 60 s: {detail}.',
  'scancore.condition.server_crashed': 'Server {subject} on {node} crashed: {detail}.',
  'scancore.condition.cleared': '{subject} on {node} is back to normal: {detail}.',
  'scancore.decision.migrate': 'Moving servers from {from} to {to}: {reason}.',
  'scancore.decision.shed_load': 'Shedding load: {node} withdraws and powers off; {survivor} keeps the servers. {reason}.',
  'scancore.decision.shutdown': 'Shutting down the servers and powering off {node}: {reason}.',
  'scancore.decision.boot': 'Booting {node} again: {reason}.',
  'scancore.decision.withdraw': 'Withdrawing {node}: its servers move to {survivor}, then it powers off. {reason}.',
  'scancore.decision.health_balanced': 'The nodes of {pair} ({nodes}) are equally healthy again; ScanCore moves nothing.',
  'scancore.decision.power_restored': 'Mains power is back for {pair}: {nodes} are on and in the cluster.',
  'scancore.decision.thermal_normal': 'Temperatures of {pair} are normal again: {nodes} are on and in the cluster.',
});

/** The shipped catalogues by language tag. */
export const catalogues: Readonly<Record<string, Catalogue>> = Object.freeze({ en: english });

/** The languages a recipient may choose. */
export function shippedLanguages(): string[] {
  return Object.keys(catalogues).sort();
}

/** Each shipped language with its own name (`language.name`, else its tag), for a recipient's choice. */
export function languageChoices(shipped: Readonly<Record<string, Catalogue>> = catalogues): { tag: string; name: string }[] {
  return Object.keys(shipped).sort().map((tag) => ({ tag, name: shipped[tag]?.['language.name'] ?? tag }));
}
