"""What the sign-in pages say, in Catalan, Spanish, English, Portuguese and French (partners read
the last two; tests check every text has all five and that a page in one shows no other's)."""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("ca", "es", "en", "pt", "fr")
DEFAULT = "ca"
# The language switch names each language in itself (the same on every page).
ENDONYMS = {"ca": "Català", "es": "Español", "en": "English", "pt": "Português", "fr": "Français"}

TEXTS: dict[str, dict[str, str]] = {
    "signin.title": {
        "ca": "Inicia la sessió a Xarxa",
        "es": "Inicia sesión en Xarxa",
        "en": "Sign in to Xarxa",
        "pt": "Iniciar sessão na Xarxa",
        "fr": "Se connecter à Xarxa",
    },
    "email": {
        "ca": "Adreça electrònica",
        "es": "Correo electrónico",
        "en": "Email address",
        "pt": "Endereço de correio eletrónico",
        "fr": "Adresse électronique",
    },
    "password": {
        "ca": "Contrasenya",
        "es": "Contraseña",
        "en": "Password",
        "pt": "Palavra-passe",
        "fr": "Mot de passe",
    },
    "code": {
        "ca": "Codi de l'aplicació d'autenticació (personal de les institucions)",
        "es": "Código de la aplicación de autenticación (personal de las instituciones)",
        "en": "Code from your authenticator app (institution staff)",
        "pt": "Código da aplicação de autenticação (pessoal das instituições)",
        "fr": "Code de l'application d'authentification (personnel des institutions)",
    },
    "signin.submit": {
        "ca": "Inicia la sessió",
        "es": "Iniciar sesión",
        "en": "Sign in",
        "pt": "Iniciar sessão",
        "fr": "Se connecter",
    },
    "signin.invalid": {
        "ca": "L'adreça, la contrasenya o el codi no són correctes.",
        "es": "El correo, la contraseña o el código no son correctos.",
        "en": "The email address, password or code is not right.",
        "pt": "O endereço, a palavra-passe ou o código não estão corretos.",
        "fr": "L'adresse, le mot de passe ou le code n'est pas correct.",
    },
    "signin.locked": {
        "ca": "Massa intents fallits. Torna-ho a provar d'aquí a uns minuts.",
        "es": "Demasiados intentos fallidos. Vuelve a intentarlo dentro de unos minutos.",
        "en": "Too many failed attempts. Try again in a few minutes.",
        "pt": "Demasiadas tentativas falhadas. Tente novamente dentro de alguns minutos.",
        "fr": "Trop de tentatives échouées. Réessayez dans quelques minutes.",
    },
    "csrf": {
        "ca": "El formulari ha caducat. Torna a carregar la pàgina i torna-ho a provar.",
        "es": "El formulario ha caducado. Vuelve a cargar la página e inténtalo de nuevo.",
        "en": "The form has expired. Reload the page and try again.",
        "pt": "O formulário expirou. Recarregue a página e tente novamente.",
        "fr": "Le formulaire a expiré. Rechargez la page et réessayez.",
    },
    "error.title": {
        "ca": "No es pot continuar",
        "es": "No se puede continuar",
        "en": "This cannot go on",
        "pt": "Não é possível continuar",
        "fr": "Impossible de continuer",
    },
    "error.unknown-client": {
        "ca": "L'aplicació que us ha enviat aquí no és coneguda.",
        "es": "La aplicación que le ha enviado aquí no es conocida.",
        "en": "The application that sent you here is not known.",
        "pt": "A aplicação que o enviou para aqui não é conhecida.",
        "fr": "L'application qui vous a envoyé ici n'est pas connue.",
    },
    "error.unknown-redirect-uri": {
        "ca": "L'adreça de retorn no és cap de les registrades per a l'aplicació.",
        "es": "La dirección de retorno no es ninguna de las registradas para la aplicación.",
        "en": "The return address is not one registered for the application.",
        "pt": "O endereço de retorno não é nenhum dos registados para a aplicação.",
        "fr": "L'adresse de retour n'est aucune de celles enregistrées pour l'application.",
    },
    "password.title": {
        "ca": "Tria la contrasenya",
        "es": "Elige la contraseña",
        "en": "Choose your password",
        "pt": "Escolha a palavra-passe",
        "fr": "Choisissez votre mot de passe",
    },
    "password.hint": {
        "ca": "Com a mínim 12 caràcters; no feu servir la vostra adreça.",
        "es": "Como mínimo 12 caracteres; no use su dirección.",
        "en": "At least 12 characters; do not use your email address.",
        "pt": "Pelo menos 12 caracteres; não use o seu endereço.",
        "fr": "Au moins 12 caractères ; n'utilisez pas votre adresse.",
    },
    "password.totp": {
        "ca": "Afegiu aquesta clau a l'aplicació d'autenticació i escriviu el codi que mostra:",
        "es": "Añada esta clave a la aplicación de autenticación y escriba el código que muestra:",
        "en": "Add this key to your authenticator app and type the code it shows:",
        "pt": "Adicione esta chave à aplicação de autenticação e escreva o código que ela mostra:",
        "fr": "Ajoutez cette clé à l'application d'authentification et saisissez le code qu'elle affiche :",
    },
    "password.submit": {"ca": "Desa", "es": "Guardar", "en": "Save", "pt": "Guardar", "fr": "Enregistrer"},
    "password.done": {
        "ca": "Fet. Ja podeu iniciar la sessió.",
        "es": "Hecho. Ya puede iniciar sesión.",
        "en": "Done. You can sign in now.",
        "pt": "Feito. Já pode iniciar sessão.",
        "fr": "C'est fait. Vous pouvez vous connecter.",
    },
    "link.invalid": {
        "ca": "L'enllaç no és vàlid, ja s'ha fet servir o ha caducat. Demaneu-ne un de nou a l'administrador.",
        "es": "El enlace no es válido, ya se ha usado o ha caducado. Pida uno nuevo al administrador.",
        "en": "The link is not valid, was already used or has expired. Ask your administrator for a new one.",
        "pt": "A ligação não é válida, já foi usada ou expirou. Peça uma nova ao administrador.",
        "fr": "Le lien n'est pas valide, a déjà servi ou a expiré. Demandez-en un nouveau à l'administrateur.",
    },
    "weak-password": {
        "ca": "La contrasenya ha de tenir com a mínim 12 caràcters variats i no contenir la vostra adreça.",
        "es": "La contraseña debe tener como mínimo 12 caracteres variados y no contener su dirección.",
        "en": "The password needs at least 12 varied characters and must not contain your email address.",
        "pt": "A palavra-passe precisa de pelo menos 12 caracteres variados e não pode conter o seu endereço.",
        "fr": "Le mot de passe doit compter au moins 12 caractères variés et ne pas contenir votre adresse.",
    },
    "wrong-code": {
        "ca": "El codi no és correcte: escriviu el que mostra ara l'aplicació.",
        "es": "El código no es correcto: escriba el que muestra ahora la aplicación.",
        "en": "The code is not right: type the one the app shows now.",
        "pt": "O código não está correto: escreva o que a aplicação mostra agora.",
        "fr": "Le code n'est pas correct : saisissez celui que l'application affiche maintenant.",
    },
    "signout.title": {
        "ca": "Tanca la sessió",
        "es": "Cerrar sesión",
        "en": "Sign out",
        "pt": "Terminar sessão",
        "fr": "Se déconnecter",
    },
    "signout.ask": {
        "ca": "Voleu tancar la sessió a Xarxa?",
        "es": "¿Quiere cerrar la sesión en Xarxa?",
        "en": "Do you want to sign out of Xarxa?",
        "pt": "Quer terminar a sessão na Xarxa?",
        "fr": "Voulez-vous vous déconnecter de Xarxa ?",
    },
    "signout.submit": {
        "ca": "Tanca la sessió",
        "es": "Cerrar sesión",
        "en": "Sign out",
        "pt": "Terminar sessão",
        "fr": "Se déconnecter",
    },
    "signout.done": {
        "ca": "Heu tancat la sessió.",
        "es": "Ha cerrado la sesión.",
        "en": "You have signed out.",
        "pt": "Terminou a sessão.",
        "fr": "Vous êtes déconnecté.",
    },
    "error.summary": {
        "ca": "Hi ha un problema",
        "es": "Hay un problema",
        "en": "There is a problem",
        "pt": "Há um problema",
        "fr": "Il y a un problème",
    },
    "language": {"ca": "Llengua", "es": "Idioma", "en": "Language", "pt": "Língua", "fr": "Langue"},
    "federated.or": {
        "ca": "O bé, amb el compte de la vostra organització:",
        "es": "O bien, con la cuenta de su organización:",
        "en": "Or, with your organisation's account:",
        "pt": "Ou, com a conta da sua organização:",
        "fr": "Ou, avec le compte de votre organisation :",
    },
    # {name} is the tenant's identity provider as its configuration names it.
    "federated.with": {
        "ca": "Inicia la sessió amb {name}",
        "es": "Iniciar sesión con {name}",
        "en": "Sign in with {name}",
        "pt": "Iniciar sessão com {name}",
        "fr": "Se connecter avec {name}",
    },
    "federated.refused": {
        "ca": "La vostra organització no ha pogut confirmar qui sou, o no teniu accés a Xarxa. Torneu-ho a provar o "
        "demaneu accés a l'administrador.",
        "es": "Su organización no ha podido confirmar quién es, o no tiene acceso a Xarxa. Vuelva a intentarlo o "
        "pida acceso al administrador.",
        "en": "Your organisation could not confirm who you are, or you have no access to Xarxa. Try again or ask "
        "your administrator for access.",
        "pt": "A sua organização não conseguiu confirmar quem é, ou não tem acesso à Xarxa. Tente novamente ou "
        "peça acesso ao administrador.",
        "fr": "Votre organisation n'a pas pu confirmer qui vous êtes, ou vous n'avez pas accès à Xarxa. Réessayez "
        "ou demandez l'accès à l'administrateur.",
    },
    "federated.unavailable": {
        "ca": "No es pot contactar ara amb el servei d'identitat de la vostra organització. Torneu-ho a provar més "
        "tard.",
        "es": "Ahora no se puede contactar con el servicio de identidad de su organización. Vuelva a intentarlo más "
        "tarde.",
        "en": "Your organisation's identity service cannot be reached now. Try again later.",
        "pt": "Não é possível contactar agora o serviço de identidade da sua organização. Tente novamente mais tarde.",
        "fr": "Le service d'identité de votre organisation est injoignable pour le moment. Réessayez plus tard.",
    },
}


def language(ui_locales: str | None, accept_language: str | None) -> str:
    """The first of the five in `ui_locales` (OIDC), else in Accept-Language, else Catalan."""
    return first_language(ui_locales, accept_language) or DEFAULT


def first_language(*sources: str | None) -> str | None:
    for source in sources:
        for part in (source or "").replace(",", " ").split():
            tag = part.split(";", 1)[0].split("-", 1)[0].strip().lower()
            if tag in LANGUAGES:
                return tag
    return None


def texts(lang: str) -> Mapping[str, str]:
    return {key: values[lang] for key, values in TEXTS.items()}
