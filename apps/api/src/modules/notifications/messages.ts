/**
 * The text of the e-mails the platform sends. Bilingual (the clinic's patients read Spanish; some
 * staff read English). Plain text only: no tracking pixels, no remote content, and no patient data
 * beyond the greeting name, since mail crosses systems we do not control.
 */
import type { MailMessage } from './mailer.js';

type Content = Omit<MailMessage, 'to'>;

export function passwordResetMessage(name: string, link: string, validMinutes: number): Content {
  return {
    subject: 'Diabetify: restablecer contraseña / reset your password',
    text: [
      `Hola ${name},`,
      '',
      `Para elegir una nueva contraseña abrí este enlace (vale ${validMinutes} minutos, una sola vez):`,
      link,
      '',
      'Si no lo pediste, ignorá este mensaje: tu contraseña no cambia.',
      '',
      `To choose a new password open the link above (valid ${validMinutes} minutes, once).`,
      'If you did not ask for it, ignore this message: your password stays the same.',
      '',
    ].join('\n'),
  };
}

export function invitationMessage(name: string, link: string, validDays: number): Content {
  return {
    subject: 'Diabetify: tu cuenta / your account',
    text: [
      `Hola ${name},`,
      '',
      `La clínica creó tu cuenta. Elegí tu contraseña con este enlace (vale ${validDays} días, una sola vez):`,
      link,
      '',
      `The clinic created your account. Choose your password with the link above (valid ${validDays} days, once).`,
      '',
    ].join('\n'),
  };
}

/**
 * Sent after every password reset or change (security.md PR-5): the owner learns of a change they
 * did not make. The instant is written in the clinic's timezone, the one patients live in.
 */
export function passwordChangedMessage(name: string, at: Date, timeZone: string): Content {
  const when = new Intl.DateTimeFormat('es-AR', { dateStyle: 'long', timeStyle: 'short', timeZone }).format(at);
  return {
    subject: 'Diabetify: tu contraseña fue cambiada / your password was changed',
    text: [
      `Hola ${name},`,
      '',
      `La contraseña de tu cuenta fue cambiada el ${when}. Cerramos las demás sesiones abiertas.`,
      'Si no fuiste vos, pedí un nuevo enlace con "Olvidé mi contraseña" y avisá a la clínica.',
      '',
      `Your password was changed (${at.toISOString()}) and your other sessions were signed out.`,
      'If it was not you, request a reset link with "Forgot password" and tell the clinic.',
      '',
    ].join('\n'),
  };
}

/**
 * Sent to the *previous* address when an account's e-mail changes: the e-mail is the recovery
 * channel, so its owner must learn of a change they did not make (a stolen session could otherwise
 * redirect password resets unnoticed). The new address is not written into the message.
 */
export function emailChangedMessage(name: string, at: Date, timeZone: string): Content {
  const when = new Intl.DateTimeFormat('es-AR', { dateStyle: 'long', timeStyle: 'short', timeZone }).format(at);
  return {
    subject: 'Diabetify: tu e-mail fue cambiado / your e-mail address was changed',
    text: [
      `Hola ${name},`,
      '',
      `El e-mail de tu cuenta fue cambiado el ${when}; este mensaje va a la dirección anterior.`,
      'Si no fuiste vos, avisá a la clínica cuanto antes.',
      '',
      `The e-mail address of your account was changed (${at.toISOString()}); this goes to the previous address.`,
      'If it was not you, tell the clinic as soon as possible.',
      '',
    ].join('\n'),
  };
}

/**
 * Consultation queue decisions (modules/appointments). No reason, motive or clinical content: the
 * patient reads those in the app, behind their login.
 */
export function consultationDecisionMessage(name: string, accepted: boolean): Content {
  return accepted
    ? {
        subject: 'Diabetify: tu consulta fue aceptada / your consultation was accepted',
        text: [
          `Hola ${name},`,
          '',
          'La clínica aceptó tu pedido de consulta. Abrí la app y completá los datos de tu tratamiento.',
          '',
          'The clinic accepted your consultation request. Open the app and fill in your treatment details.',
          '',
        ].join('\n'),
      }
    : {
        subject: 'Diabetify: tu pedido de consulta / your consultation request',
        text: [
          `Hola ${name},`,
          '',
          'La clínica no pudo aceptar hoy tu pedido de consulta. Abrí la app para ver el detalle.',
          '',
          'The clinic could not accept your consultation request today. Open the app for details.',
          '',
        ].join('\n'),
      };
}

/** A clinician wrote (or corrected) the resolution of the patient's consultation. */
export function consultationResolvedMessage(name: string, corrected: boolean): Content {
  return {
    subject: corrected
      ? 'Diabetify: se corrigió la respuesta a tu consulta / your consultation answer was corrected'
      : 'Diabetify: tu consulta tiene respuesta / your consultation was answered',
    text: [
      `Hola ${name},`,
      '',
      corrected
        ? 'Tu médico corrigió la respuesta a tu consulta. Abrí la app para leer la versión actual.'
        : 'Tu médico respondió tu consulta. Abrí la app para leer las indicaciones.',
      '',
      corrected
        ? 'Your clinician corrected the answer to your consultation. Open the app to read the current version.'
        : 'Your clinician answered your consultation. Open the app to read the instructions.',
      '',
    ].join('\n'),
  };
}
