"""The one exception of deploying and the how-to it shows when no target is set.

Every message is Italian and says what to do; the other modules raise it with their own.
"""


class DeployError(Exception):
    """Deploying failed; the message is Italian and says what to do."""


HOW_TO_CONFIGURE = """\
Non so dove pubblicare il sito: manca la destinazione.
Scegli un metodo in publishconf.py (DEPLOY = {{"method": …, "destination": …}}) oppure
nell’ambiente, per esempio:

  # su un server con nginx (via ssh) o in una cartella di questo computer
  DELEGA_DEPLOY=rsync DELEGA_DEPLOY_DEST=utente@server.example:/srv/www/blog invoke publish
  # sul ramo gh-pages di GitHub Pages (il remote «origin» di questo repository)
  DELEGA_DEPLOY=gh-pages DELEGA_DEPLOY_DEST=origin invoke publish

{problem}Per una prova generale senza pubblicare nulla: invoke publish --dry-run"""
