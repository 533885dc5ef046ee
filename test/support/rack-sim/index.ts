/** The rack simulator: UPSes (NUT dummy-ups), BMC sensors for the cluster lab, and the SMTP sink with AUTH. */
export { NutUpses, mainsState, type UpsState } from './nut-upses.js';
export { bmcSensors, consolePort, setFan, setTemperature, startLoopbackBmc, type LoopbackBmc } from './bmc-sensors.js';
export { startSmtpSink, type ReceivedMail, type SmtpSink } from '../../interop/alerts/smtp-sink.js';
