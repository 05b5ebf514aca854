"""The trainers' UI (Solara): ``tranqsim ui`` serves :func:`tranqsim.ui.app.Page`.

Modules: ``app`` (the page), ``session`` (model state and validation, no widgets), ``controls``
(picker, levers, play/step/reset), ``map``, ``charts``, ``log``, ``help`` (strategies, levers,
map key), ``format`` (numbers in French or English, with Babel), ``i18n`` (every label, FR/EN),
``server`` (starting the Solara server offline).
"""
