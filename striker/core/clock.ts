/**
 * Time as a value passed in: code that decides by the clock (expiry, schedules, progress rates)
 * takes a `Clock`, so tests hand it a fixed or stepping one instead of waiting.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
