"""What the sign-in pages say, in Catalan, Spanish and English (tests check every text has all three)."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("ca", "es", "en")
DEFAULT = "ca"

TEXTS: dict[str, dict[str, str]] = {
    "signin.title": {"ca": "Inicia la sessió a Xarxa", "es": "Inicia sesión en Xarxa", "en": "Sign in to Xarxa"},
    "email": {"ca": "Adreça electrònica", "es": "Correo electrónico", "en": "Email address"},
    "password": {"ca": "Contrasenya", "es": "Contraseña", "en": "Password"},
    "code": {
        "ca": "Codi de l'aplicació d'autenticació (personal de les institucions)",
        "es": "Código de la aplicación de autenticación (personal de las instituciones)",
        "en": "Code from your authenticator app (institution staff)",
    },
    "signin.submit": {"ca": "Inicia la sessió", "es": "Iniciar sesión", "en": "Sign in"},
    "signin.invalid": {
        "ca": "L'adreça, la contrasenya o el codi no són correctes.",
        "es": "El correo, la contraseña o el código no son correctos.",
        "en": "The email address, password or code is not right.",
    },
    "signin.locked": {
        "ca": "Massa intents fallits. Torna-ho a provar d'aquí a uns minuts.",
        "es": "Demasiados intentos fallidos. Vuelve a intentarlo dentro de unos minutos.",
        "en": "Too many failed attempts. Try again in a few minutes.",
    },
    "csrf": {
        "ca": "El formulari ha caducat. Torna a carregar la pàgina i torna-ho a provar.",
        "es": "El formulario ha caducado. Vuelve a cargar la página e inténtalo de nuevo.",
        "en": "The form has expired. Reload the page and try again.",
    },
    "error.title": {"ca": "No es pot continuar", "es": "No se puede continuar", "en": "This cannot go on"},
    "error.unknown-client": {
        "ca": "L'aplicació que us ha enviat aquí no és coneguda.",
        "es": "La aplicación que le ha enviado aquí no es conocida.",
        "en": "The application that sent you here is not known.",
    },
    "error.unknown-redirect-uri": {
        "ca": "L'adreça de retorn no és cap de les registrades per a l'aplicació.",
        "es": "La dirección de retorno no es ninguna de las registradas para la aplicación.",
        "en": "The return address is not one registered for the application.",
    },
    "password.title": {"ca": "Tria la contrasenya", "es": "Elige la contraseña", "en": "Choose your password"},
    "password.hint": {
        "ca": "Com a mínim 12 caràcters; no feu servir la vostra adreça.",
        "es": "Como mínimo 12 caracteres; no use su dirección.",
        "en": "At least 12 characters; do not use your email address.",
    },
    "password.totp": {
        "ca": "Afegiu aquesta clau a l'aplicació d'autenticació i escriviu el codi que mostra:",
        "es": "Añada esta clave a la aplicación de autenticación y escriba el código que muestra:",
        "en": "Add this key to your authenticator app and type the code it shows:",
    },
    "password.submit": {"ca": "Desa", "es": "Guardar", "en": "Save"},
    "password.done": {
        "ca": "Fet. Ja podeu iniciar la sessió.",
        "es": "Hecho. Ya puede iniciar sesión.",
        "en": "Done. You can sign in now.",
    },
    "link.invalid": {
        "ca": "L'enllaç no és vàlid, ja s'ha fet servir o ha caducat. Demaneu-ne un de nou a l'administrador.",
        "es": "El enlace no es válido, ya se ha usado o ha caducado. Pida uno nuevo al administrador.",
        "en": "The link is not valid, was already used or has expired. Ask your administrator for a new one.",
    },
    "weak-password": {
        "ca": "La contrasenya ha de tenir com a mínim 12 caràcters variats i no contenir la vostra adreça.",
        "es": "La contraseña debe tener como mínimo 12 caracteres variados y no contener su dirección.",
        "en": "The password needs at least 12 varied characters and must not contain your email address.",
    },
    "wrong-code": {
        "ca": "El codi no és correcte: escriviu el que mostra ara l'aplicació.",
        "es": "El código no es correcto: escriba el que muestra ahora la aplicación.",
        "en": "The code is not right: type the one the app shows now.",
    },
    "signout.title": {"ca": "Tanca la sessió", "es": "Cerrar sesión", "en": "Sign out"},
    "signout.ask": {
        "ca": "Voleu tancar la sessió a Xarxa?",
        "es": "¿Quiere cerrar la sesión en Xarxa?",
        "en": "Do you want to sign out of Xarxa?",
    },
    "signout.submit": {"ca": "Tanca la sessió", "es": "Cerrar sesión", "en": "Sign out"},
    "signout.done": {
        "ca": "Heu tancat la sessió.",
        "es": "Ha cerrado la sesión.",
        "en": "You have signed out.",
    },
    "error.summary": {"ca": "Hi ha un problema", "es": "Hay un problema", "en": "There is a problem"},
}


def language(ui_locales: str | None, accept_language: str | None) -> str:
    """The first of ca, es, en in `ui_locales` (OIDC), else in Accept-Language, else Catalan."""
    for source in (ui_locales or "", accept_language or ""):
        for part in source.replace(",", " ").split():
            tag = part.split(";", 1)[0].split("-", 1)[0].strip().lower()
            if tag in LANGUAGES:
                return tag
    return DEFAULT


def texts(lang: str) -> Mapping[str, str]:
    return {key: values[lang] for key, values in TEXTS.items()}
