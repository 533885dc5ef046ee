/** Measurement scaffolding (removed after the on/off measurements): STK_TFTP_OFF=chain,ring,mmsg,cached. */
const off = new Set((process.env['STK_TFTP_OFF'] ?? '').split(',').filter((s) => s !== ''));
export const mechanismOff = {
  chain: off.has('chain'),
  ring: off.has('ring'),
  mmsg: off.has('mmsg'),
  cached: off.has('cached'),
};
